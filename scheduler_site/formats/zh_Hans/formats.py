"""Simplified Chinese date formats that differ from Django's own (django/conf/locale/zh_Hans/formats.py); every
other format falls through to Django's.

Django writes a month and day as "m月j日", which zero-pads the month: "01月4日" on a January shift, where people
write and say 1月4日 (Django's own comment there says 9月5日)."""

MONTH_DAY_FORMAT = "n月j日"  # 1月4日
