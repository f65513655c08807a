"""The cover call-down: a published shift short of people asks rule-safe members for cover by itself.

    ranking.py    who to ask, best first (the one "can M take S" rule of 谁能接？, then load, teammates, visitors)
    calldown.py   starting a call-down, asking in waves, telling the secretary, stopping; the periodic job, which
                  also ranks an exhausted call-down again and asks whoever can take the shift now
    answers.py    a member's answer (link, My shifts, tap or key press): the first yes wins, booked by republishing
    starting.py   where it starts by itself: after a withdrawal (follow.py) and when the re-plan found nobody
                  (solving.py, which also messages the secretary at once)
    notices.py    the messages it sends (always from the queue)
    receivers.py  key 1 on a voice call (shifts.signals.call_answered, kind cover_ask)
    selectors.py  what the dashboard and the week grid show, and the member's own asks on My shifts
"""
