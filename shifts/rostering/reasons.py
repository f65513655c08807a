"""The one table of reasons in words: why a member cannot take a shift (a rule's code, from the solver's checker
or shifts.rostering.rules), said in full (ReasonWords decides who may read that), in a sentence about a named
member, and counted over the colleagues it keeps from a shift; and why a solved roster leaves a shift short."""

from collections import Counter
from dataclasses import dataclass

from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Words:
    """A reason said three ways: `detail` for staff who may see the member's sensitive data; `sentence`, about a
    named member, for everyone else (health, family care and absences stay generic there); and `counted`, how
    many colleagues it keeps from a shift (the swap form's "nobody can take it"), as generic as the sentence.
    Reasons said alike in a count (family care with absence, health with age) share one `counted` phrase."""

    detail: object
    sentence: object
    counted: object


_COUNT_NOT_AVAILABLE = ngettext_lazy("%(n)d is not available then", "%(n)d are not available then", "n")
_COUNT_AGE = ngettext_lazy("%(n)d is outside this duty's age or health limits",
                           "%(n)d are outside this duty's age or health limits", "n")
_COUNT_OTHER = ngettext_lazy("%(n)d cannot take it for another rule", "%(n)d cannot take it for other rules", "n")
_SENTENCE_NOT_AVAILABLE = _("%(name)s is not available at that time")
_SENTENCE_AGE = _("%(name)s is outside this duty's age or health limits")
_SENTENCE_COMMUNITY = _("%(name)s does not serve this community")

REASONS: dict[str, Words] = {
    "duplicate": Words(_("already on this shift"), _("%(name)s is already on %(shift)s"), _COUNT_OTHER),
    "full": Words(_("the shift is already full"), _("%(shift)s already has as many people as it may have"),
                  _COUNT_OTHER),
    "community": Words(_("serves another community"), _SENTENCE_COMMUNITY, _COUNT_OTHER),
    "unknown": Words(_("serves another community"), _SENTENCE_COMMUNITY, _COUNT_OTHER),
    "forbidden": Words(_("was taken off this shift or gave it away"), _SENTENCE_NOT_AVAILABLE,
                       _COUNT_NOT_AVAILABLE),
    "age": Words(_("outside the age range of this duty"), _SENTENCE_AGE, _COUNT_AGE),
    "night_age": Words(_("above the age limit for night shifts"),
                       _("%(name)s is outside this duty's age limit for night shifts"),
                       ngettext_lazy("%(n)d is over the age limit for night shifts",
                                     "%(n)d are over the age limit for night shifts", "n")),
    "health": Words(_("health does not allow this duty"), _SENTENCE_AGE, _COUNT_AGE),
    "skill": Words(_("lacks a required skill"), _("%(name)s lacks a skill this duty requires"),
                   ngettext_lazy("%(n)d lacks a skill this duty requires", "%(n)d lack a skill this duty requires",
                                 "n")),
    "caregiving": Words(_("looks after family at that time"), _SENTENCE_NOT_AVAILABLE, _COUNT_NOT_AVAILABLE),
    "unavailable": Words(_("has reported being away"), _SENTENCE_NOT_AVAILABLE, _COUNT_NOT_AVAILABLE),
    "inactive": Words(_("no longer serves (marked inactive)"), _SENTENCE_NOT_AVAILABLE, _COUNT_NOT_AVAILABLE),
    "overlap": Words(_("on another shift at that time"), _("%(name)s already has another shift at that time"),
                     ngettext_lazy("%(n)d is on another shift at that time",
                                   "%(n)d are on other shifts at that time", "n")),
    "rest": Words(_("too little rest between shifts"), _("%(name)s would not get enough rest between shifts"),
                  ngettext_lazy("%(n)d would not get enough rest between shifts",
                                "%(n)d would not get enough rest between shifts", "n")),
    "limit": Words(_("would go over their weekly limit"), _("%(name)s would go over their weekly limit"),
                   ngettext_lazy("%(n)d has reached their weekly limit", "%(n)d have reached their weekly limit",
                                 "n")),
    "consecutive": Words(_("would serve too many days in a row"), _("%(name)s would serve too many days in a row"),
                         ngettext_lazy("%(n)d would serve too many days in a row",
                                       "%(n)d would serve too many days in a row", "n")),
    "lead": Words(_("the shift would lack its lead (e.g. a first-aider)"),
                  _("%(shift)s would have nobody with %(skill)s"),
                  ngettext_lazy("%(n)d does not have the skill the team needs",
                                "%(n)d do not have the skill the team needs", "n")),
    "pin_missing": Words(_("a pinned assignment is in the way"), _SENTENCE_NOT_AVAILABLE, _COUNT_NOT_AVAILABLE),
}
# The order in which explanations give a member's first reason: the most telling first.
REASON_ORDER = ("overlap", "rest", "limit", "consecutive", "unavailable", "inactive", "caregiving", "forbidden",
                "skill", "age", "night_age", "health", "lead", "full", "duplicate", "pin_missing", "community",
                "unknown")
# Reasons that a booked pair conflicts with what people told Yure: publishing refuses these.
CONFLICT_CODES = ("unavailable", "inactive", "forbidden")


# Reasons that tell of a member's health, family care or absences. Only a reader who may see that member's
# sensitive details (volunteers.selectors.sensitive_member_ids: staff of the member's own community, the member)
# reads them; anyone else (a district administrator not assigned to the community, the staff of a community the
# member only serves as a guest) reads PRIVATE_WORDS, on every page alike.
PRIVATE_CODES = frozenset({"health", "caregiving", "unavailable"})
PRIVATE_WORDS = _("not available")


def reason_detail(code: str) -> str:
    """The reason in full: for a reader allowed to see it (see ReasonWords), or for no reader at all."""
    return str(_words(code).detail)


class ReasonWords:
    """The one redaction rule for reasons about members: 谁能接？, the week grid, the publish preview, the hand-add
    refusal and set-up's follow-up all say a member's reason through here, for the login reading it.

    `reader` None is the system itself (a management command): it reads everything."""

    def __init__(self, reader, member_ids):
        from volunteers.selectors import sensitive_member_ids

        ids = {pk for pk in member_ids if pk is not None}
        self.visible = ids if reader is None else sensitive_member_ids(reader, ids)

    def shows(self, code: str, member_id: int | None) -> bool:
        return code not in PRIVATE_CODES or member_id in self.visible

    def detail(self, code: str, member_id: int | None) -> str:
        return reason_detail(code) if self.shows(code, member_id) else str(PRIVATE_WORDS)

    def free_text(self, text: str, member_id: int | None) -> str:
        """A reason a secretary typed about the member (why they were taken off, why a rule was overridden):
        it may say "住院", so only a reader who may see the member's sensitive details reads it."""
        return text if member_id in self.visible else ""


def reason_sentence(code: str, *, name: str = "", shift: str = "", skill: str = "") -> str:
    return gettext(str(_words(code).sentence)) % {"name": name, "shift": shift, "skill": skill}


def _rank(code: str) -> int:
    return REASON_ORDER.index(code) if code in REASON_ORDER else len(REASON_ORDER)


def first_reason(codes) -> str | None:
    codes = list(codes)
    if not codes:
        return None
    return min(codes, key=_rank)


def _words(code: str) -> Words:
    return REASONS.get(code, REASONS["community"])


def reasons_counted(codes) -> str:
    """How many colleagues each reason keeps from a shift, one phrase per `counted` phrase of REASONS, e.g.
    "2 are on other shifts at that time; 1 is not available then". Codes said alike count together (family care
    with an absence); the phrases come in REASON_ORDER of the first code said by each."""
    counts = Counter(id(_words(code).counted) for code in codes)
    phrases = {}
    for code in (*REASON_ORDER, *REASONS):
        phrases.setdefault(id(REASONS[code].counted), REASONS[code].counted)
    return gettext("; ").join(str(words % {"n": counts[key]}) for key, words in phrases.items() if counts[key])


def unfilled_in_words(*, missing: int, eligible: int, excluded: dict[str, int]) -> str:
    """Why a solved roster leaves a shift short, in the active language, said from the one table of reasons:
    "缺1人：3人超过夜间班的年龄上限；5人那时没空". `excluded` counts the members each rule keeps from the shift (the
    solver's `unfilled` report); members of other communities are named only when nothing else explains it."""
    codes = [code for code, n in excluded.items() if code != "community" for _ in range(n)]
    if not codes:
        codes = ["community"] * excluded.get("community", 0)
    reasons = reasons_counted(codes)
    head = ngettext("%(n)d place unfilled", "%(n)d places unfilled", missing) % {"n": missing}
    if eligible:
        booked = ngettext("%(n)d who could take it is already booked or at their limit",
                          "%(n)d who could take it are already booked or at their limits", eligible) % {"n": eligible}
        why = gettext("; ").join([booked, reasons] if reasons else [booked])
    else:
        why = reasons or gettext("nobody is free")
    return gettext("%(head)s: %(why)s") % {"head": head, "why": why}
