// What people say to Sayso, as JSGF-style templates: `<slot>` names a rule, `[x]` is optional,
// `(a | b)` picks one. The same text becomes the command grammar and, sampled, the corpus of
// the small n-gram model, so the two never drift apart. All words must be in cmudict (lower case).
//
// Keep the WER test sentences (bench/stt-wer.ts) out of here: they measure how well this
// generalises, not how well it remembers.

export const COMMAND_RULES: Record<string, string[]> = {
  command: [
    '[please] add [a task [to]] <task> [<when>]',
    '[please] add <task> to my <list>',
    '[can you] remind me to <task> [<when>]',
    'remind me <when> to <task>',
    'i need to <task> [<when>]',
    'schedule [a | an | the] <event> [with <person>] [<when>]',
    'book [a | the] <event> [with <person>] [<when>]',
    'set [up] a reminder for [the] <event> [<when>]',
    '(move | push | reschedule) [my | the] (<event> | <task>) to <when>',
    '(cancel | delete | remove) [my | the] (<event> | <task>) [task] [<when>]',
    'mark [the] (<task> | <habit>) [task] [as] (done | complete | finished) [for today]',
    '(complete | finish) [the task] <task>',
    'i (finished | did) [my] (<habit> | <task>) [<when>]',
    'i (ran | walked) <number> (miles | kilometers | minutes) [<when>]',
    '(log | track | check in) [my] <habit> [habit] [<when>]',
    '(create | add | start) a [new] habit [to] <habit> [every (day | morning | evening | week)]',
    'what (is | do i have) (on my calendar | on my list | planned | next) [<when>]',
    'what do i have [on] <when>',
    'what is [my] next (task | meeting | event)',
    '(show | open | read) [me] my (tasks | habits | calendar | journal | list | reminders) [for <when>]',
    'how many tasks (are left | do i have) [<when>]',
    'what is my streak for <habit>',
    '[start a] new journal entry',
    '(start | open) my journal',
    '(snooze | postpone) (that | it) (for <duration> | until <when>)',
    'undo [that | the last change]',
    '(clear | delete) all (completed | done | finished) tasks',
    'add a note to [the] <event>',
    '(yes | no | cancel | stop | never mind | thank you | thanks)',
  ],
  list: ['list', 'tasks', 'todo list', 'shopping list', 'work list', 'grocery list', 'home list'],
  task: [
    'call [the] <person>', 'email <person>', 'text <person>', 'buy <thing>', 'pay the <bill> [bill]',
    'water the plants', 'walk the dog', 'feed the cat', 'do the laundry', 'clean the (kitchen | bathroom | house | car)',
    'take out the (trash | bins)', 'fix the (bike | sink | door)', 'book a (flight | table | hotel)',
    'send the (invoice | report | slides | contract)', 'finish the (report | slides | presentation)',
    'review the (budget | contract | report)', 'pick up the (kids | package | dry cleaning)',
    'renew [my] (passport | license | insurance)', 'go to the (gym | bank | post office | pharmacy)',
    'make a (doctor | dentist) appointment', 'prepare for the <event>', 'read <number> pages',
    'write the <thing>', 'return the (books | library books | package)', 'wrap the present',
  ],
  thing: [
    'milk', 'bread', 'eggs', 'coffee', 'groceries', 'a gift', 'a birthday present [for <person>]',
    'flowers', 'batteries', 'dog food', 'new shoes', 'printer paper', 'stamps', 'cake', 'letter', 'thank you note',
  ],
  bill: ['electricity', 'water', 'phone', 'internet', 'gas', 'credit card', 'rent'],
  person: [
    'mom', 'dad', 'my sister', 'my brother', 'my boss', 'the team', 'the bank', 'the doctor', 'the dentist',
    'the plumber', 'sarah', 'david', 'john', 'emma', 'michael', 'lisa', 'alex', 'james', 'maria', 'grandma',
  ],
  event: [
    'meeting', 'team meeting', 'dentist appointment', 'doctor appointment', 'call', 'lunch', 'dinner',
    'coffee', 'interview', 'haircut', 'checkup', 'standup', 'review', 'party', 'yoga class', 'flight', 'gym session',
  ],
  habit: [
    'meditation', 'meditate', 'reading', 'read', 'running', 'run', 'workout', 'exercise', 'yoga', 'stretching',
    'journal', 'walk', 'drink water', 'drink <number> glasses of water', 'sleep early', 'practice piano',
    'study spanish', 'floss', 'vitamins', 'push ups',
  ],
  when: [
    'today', 'tomorrow', 'tonight', '(this | tomorrow) (morning | afternoon | evening)', 'this weekend',
    '(next | this) (week | month | year)', '[on | next | this] <day> [(morning | afternoon | evening)]',
    'at <time>', '<day> at <time>', 'tomorrow at <time>', 'today at <time>', 'in <duration>',
    'on (the) <ordinal> [of <month>]', 'on <month> <ordinal>', 'by <day>', 'by tomorrow', 'later', 'every <day>',
  ],
  day: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'],
  month: ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'],
  time: ['<hour> [(o clock | thirty | fifteen | forty five)] [(am | pm | in the morning | in the evening)]', 'noon', 'midnight', 'half past <hour>'],
  hour: ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'],
  number: ['<hour>', 'twenty', 'thirty', 'forty', 'fifty', 'a hundred'],
  duration: ['<number> (minutes | hours | days)', 'an hour', 'a day', 'a week', 'half an hour', 'ten minutes', 'five minutes'],
  ordinal: ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth', 'fifteenth', 'twentieth'],
};

/**
 * Everyday sentences in the style of journal dictation, so the small model alone is not lost on
 * free text. Dictation leans mostly on the general en-us model it is mixed with.
 */
export const EVERYDAY_SENTENCES: string[] = [
  'today was a good day', 'today was a long day', 'i feel tired', 'i feel good about it', 'i slept well last night',
  'i did not sleep well', 'i went for a walk after lunch', 'i went to work early', 'i had lunch with my friend',
  'we had dinner at home', 'it rained all day', 'the weather was nice', 'i spent the evening reading',
  'i talked to my mother on the phone', 'i am worried about work', 'i am happy with my progress',
  'work was busy this week', 'the kids went to school', 'my back hurts a little', 'i need more sleep',
  'we watched a film together', 'i cooked dinner for the family', 'i finished the book', 'i started a new project',
  'i felt stressed in the morning', 'the afternoon was calm', 'i met an old friend in town', 'we went to the park',
  'i was late for the meeting', 'i want to exercise more', 'i am grateful for my friends', 'it was cold outside',
  'i had a headache', 'i played with the dog', 'the house was quiet', 'i listened to music', 'i called my dad',
  'we talked about the holidays', 'i made some mistakes at work', 'i learned something new today',
  'my sister visited us', 'we cleaned the house', 'i went to bed early', 'i woke up late', 'i drank too much coffee',
  'the train was late again', 'i ran in the park this morning', 'i feel better than yesterday', 'it was a hard week',
  'i am looking forward to the weekend', 'we made plans for the summer', 'i had a nice conversation with my boss',
];
