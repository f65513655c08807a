// Reads an .ics file (path in argv[2]) with ical.js and prints one JSON line per VEVENT:
// {uid, summary, start_utc, end_utc, status, sequence, alarms: [{action, description, trigger_seconds}]}.
// Exits 1 with the parser's message on stderr if ical.js rejects the feed.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(process.argv[2], "utf8");
let root;
try {
  root = new ICAL.Component(ICAL.parse(text));
} catch (error) {
  console.error(`ical.js could not parse the feed: ${error.message}`);
  process.exit(1);
}
for (const zone of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(zone);
}
const utc = (time) => (time ? time.convertToZone(ICAL.Timezone.utcTimezone).toString() : null);
const out = root.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    summary: event.summary,
    start_utc: utc(event.startDate),
    end_utc: utc(event.endDate),
    status: component.getFirstPropertyValue("status"),
    sequence: event.sequence,
    alarms: component.getAllSubcomponents("valarm").map((alarm) => ({
      action: alarm.getFirstPropertyValue("action"),
      description: alarm.getFirstPropertyValue("description"),
      trigger_seconds: alarm.getFirstPropertyValue("trigger").toSeconds(),
    })),
  };
});
console.log(JSON.stringify({ calendars: root.name, events: out }));
