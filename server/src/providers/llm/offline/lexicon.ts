// Vocabulary the rules share: what Sayso does not do, what names an event, and loose word
// matching of what was said against the person's habit and task names.

/**
 * Requests for things Sayso does not do. A weakly-cued write ("schedule...", "add...", "delete...")
 * that mentions one of these is not a write: "add this song to my playlist", "delete the alarm".
 */
export const OFF_DOMAIN = new RegExp(
  [
    String.raw`\b(?:weather|forecast|temperature|rain|raining|rainy|rained|snowing|umbrella|sunny|humid|degrees)\b`,
    String.raw`\b(?:song|songs|music|playlists?|play list|album|artist|radio|podcasts?|audio ?books?|spotify|volume|tracks)\b`,
    String.raw`\b(?:alarms?|wake me|wake up|wakeup|wake-up|wake up call|timer)\b`,
    String.raw`\b(?:e-?mails?|inbox|text message|sms|whatsapp|tweet|facebook|twitter|instagram|status update)\b`,
    String.raw`\b(?:lights?|lamps?|bulbs?|brightness|thermostat|vacuum|roomba|coffee maker|smart plug|tv|television)\b`,
    String.raw`\b(?:news|headlines|politics|political|elections?|stocks?|share price|dow jones|nasdaq|exchange rate|bitcoin)\b`,
    String.raw`\b(?:taxi|uber|lyft|cab|train tickets?|plane tickets?|tickets?|traffic)\b`,
    String.raw`\b(?:takeaway|take out|takeout|delivery|recipe|recipes|joke|jokes|riddle|translate|contacts?|contact list|phone book|cart|basket|(?:food|dinner|lunch|pizza|my) order)\b`,
  ].join('|'),
  'i',
);

/** Things that happen at a time, rather than things to do. */
export const EVENT_NOUN =
  /\b(?:meetings?|appointments?|appt|events?|calendar|schedule|call|conference|interview|lunch|dinner|brunch|breakfast|party|birthday|bday|wedding|anniversary|flight|concert|game|match|class|lesson|session|standup|stand-up|reservation|visit|checkup|check-up|reunion|picnic|show|holiday|vacation|ceremony|graduation|practice|rehearsal|doctor'?s?|dentist|haircut|therapist)\b/i;

/** Words that name a habit even when the person has none yet ("did my meditation"). */
export const HABIT_WORDS =
  /\b(?:meditat\w*|workout|work out|exercis\w*|yoga|run|runs|running|jog\w*|walk|walks|walking|stretch\w*|reading|journaling|journalling|push-?ups|sit-?ups|squats|planks?|steps|practice|prayers?|vitamins|flossing|floss|swim\w*|cardio|gym|pilates|workouts|water|sleep|duolingo|spanish|piano|guitar|gratitude)\b/i;

/** Quantity units after a check-in number: "ran 5 km", "drank 3 glasses". */
export const UNIT = /^(?:minutes?|mins?|hours?|hrs?|km|k|kms|kilometers?|kilometres?|miles?|mi|glasses|glass|cups?|pages?|chapters?|times|reps|steps|pushups|push-ups|situps|laps|sets|bottles?|liters?|litres?|l|ml|ounces?|oz|servings?)$/i;

const IRREGULAR: Record<string, string> = {
  ran: 'run', drank: 'drink', drunk: 'drink', went: 'go', wrote: 'write', written: 'write', slept: 'sleep', swam: 'swim',
  did: 'do', done: 'do', ate: 'eat', eaten: 'eat', took: 'take', taken: 'take', rode: 'ride', ridden: 'ride', jogged: 'jog',
  read: 'read', meditation: 'medit', meditations: 'medit', prayed: 'pray', prayer: 'pray', prayers: 'pray',
  exercise: 'exercis', exercised: 'exercis', exercising: 'exercis', workout: 'workout', workouts: 'workout',
};

/** A crude stem so "meditated", "meditation" and "meditating" meet, and "ran" meets "running". */
export function stem(word: string): string {
  let w = word.toLowerCase().replace(/[^a-z]/g, '');
  const irregular = IRREGULAR[w];
  if (irregular) return irregular;
  if (w.length <= 3) return w;
  w = w.replace(/(?:ations?|ating|ated|ates|ate)$/, '') || w;
  if (w.length > 4) w = w.replace(/ies$/, 'y').replace(/(?:ings?|ed|es|(?<!s)s)$/, '');
  if (w.length > 3) w = w.replace(/e$/, '');
  if (/([b-df-hj-np-tv-z])\1$/.test(w) && !/(?:ss|ll)$/.test(w)) w = w.slice(0, -1);
  return w;
}

const STOP = new Set([
  'a', 'an', 'the', 'my', 'to', 'of', 'for', 'and', 'in', 'on', 'at', 'with', 'do', 'go', 'i', 'some', 'daily', 'every', 'day',
  'morning', 'evening', 'night', 'habit', 'minutes', 'min', 'more', 'less', 'no', 'get', 'take', 'have', 'make',
]);

/** Content words of a name or phrase, stemmed: "Drink water" -> ["drink", "water"]. */
export function contentStems(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/(\w)-(\w)/g, '$1$2')
    .split(/[^a-z0-9']+/)
    .filter((w) => w && !STOP.has(w))
    .map(stem);
}

/**
 * The name from `names` that `text` mentions, by stemmed word overlap, or undefined.
 * A name matches when one of its distinctive words appears ("drank 3 glasses of water" names "Drink water").
 */
export function findName(names: readonly string[] | undefined, text: string): string | undefined {
  if (!names?.length) return undefined;
  const said = new Set(contentStems(text));
  let best: { name: string; score: number } | undefined;
  for (const name of names) {
    const words = contentStems(name);
    if (!words.length) continue;
    const hits = words.filter((w) => said.has(w)).length;
    const score = hits / words.length + hits * 0.01;
    if (hits > 0 && (!best || score > best.score)) best = { name, score };
  }
  return best?.name;
}

/** Strips determiners and list words around an item: "the milk from my shopping list" -> "milk". */
export function cleanPhrase(text: string): string {
  return text
    .replace(/^(?:(?:the|a|an|my|our|this|that|some|to|about|of|for|on|at|by|in|from|due|is|are|please)\s+)+/i, '')
    .replace(/\s+(?:(?:to|on|at|by|for|from|in|due|until|till|before|please|and|the|my|this|that|of|with|again|today|now|is|are|will be)\s*)+$/i, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(?:to|on|at|by|for|from|in|due|the|a|an|my|of|with|about|that|this|is|are)$/i, '');
}

/** Words to the assistant itself ("I have to tell you a joke"): banter, not a request. */
export const ASSISTANT_TALK = /\b(?:you|your|yourself)\b/i;

/** Things said instead of an item: "add this to my list", "remind me of it". */
export const PLACEHOLDER = /^(?:this|that|it|something|anything|stuff|things?|items?|this item|that item|an item|the item|a thing|the following|these|those|them|an entry|a note|one|more)$/i;
