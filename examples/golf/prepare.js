// Setup for the golf example (evaluator-owned, protected): writes a deterministic text
// corpus with structure at several scales, so better character-level models score better.
//
//   $AUTOLAB_DATA/train.txt       ~450 KB, what the recipe trains on
//   $AUTOLAB_DATA/val.txt         ~20 KB, what the recipe may use to watch itself
//   $AUTOLAB_HOLDOUT/holdout.txt  ~50 KB, what score.js measures (never shown to trials)
//
// The corpus is independent of $AUTOLAB_SEED: every trial of a study sees the same data.
// Structure, small to large: invented words built from syllables (spelling), a Zipfian
// vocabulary, inflection (plural -s/-es/-ies, third person -s, past -ed), agreement
// (a/an, this/these, subject/verb number), phrase templates, fixed idioms that recur,
// quoted speech, questions, numbers, sentences, paragraphs with a topic, chapters.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TRAIN_BYTES = 450_000;
const VAL_BYTES = 20_000;
const HOLDOUT_BYTES = 50_000;

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1). */
function makeRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A sampler over `items` with Zipfian weights 1 / (rank + 2)^exponent. */
function zipf(items, exponent = 1.05) {
  const cumulative = [];
  let total = 0;
  for (let rank = 0; rank < items.length; rank++) {
    total += 1 / Math.pow(rank + 2, exponent);
    cumulative.push(total);
  }
  return (random) => {
    const u = random() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return items[lo];
  };
}

const pick = (random, items) => items[Math.floor(random() * items.length)];
const chance = (random, p) => random() < p;

// ---- the lexicon: real words first (the frequent ones), then invented ones ----

const ONSETS = ['b', 'br', 'c', 'ch', 'cl', 'd', 'dr', 'f', 'fl', 'g', 'gr', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'pl', 'r', 's', 'sh', 'sl', 'st', 't', 'th', 'tr', 'v', 'w', 'z'];
const NUCLEI = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'oo', 'ou', 'ie'];
const CODAS = ['', '', '', 'n', 'r', 'l', 'm', 'st', 'nd', 'sk', 'ng', 'ck', 'p', 't'];

/** Invents `count` distinct pronounceable words of 1-3 syllables. */
function inventWords(random, count, taken) {
  const words = [];
  while (words.length < count) {
    const syllables = 1 + Math.floor(random() * 3);
    let word = '';
    for (let i = 0; i < syllables; i++) {
      word += pick(random, ONSETS) + pick(random, NUCLEI) + (i === syllables - 1 ? pick(random, CODAS) : '');
    }
    if (word.length >= 3 && !taken.has(word)) {
      taken.add(word);
      words.push(word);
    }
  }
  return words;
}

const REAL_NOUNS = ['cat', 'dog', 'house', 'river', 'child', 'city', 'tree', 'boat', 'king', 'garden', 'stone', 'letter', 'horse', 'bird', 'road', 'window', 'friend', 'box', 'lamp', 'forest', 'market', 'story', 'teacher', 'farmer', 'song', 'bridge', 'island', 'wolf', 'clock', 'key', 'mountain', 'baker', 'ship', 'book', 'village', 'fox', 'church', 'candle', 'table', 'field'];
const REAL_VERBS = ['see', 'find', 'carry', 'watch', 'follow', 'help', 'open', 'paint', 'build', 'visit', 'call', 'love', 'push', 'touch', 'wash', 'guard', 'remember', 'count', 'hide', 'catch', 'mend', 'fetch', 'bless', 'miss', 'greet', 'hear', 'keep', 'leave', 'reach', 'want'];
const INTRANSITIVE = ['sleep', 'wait', 'sing', 'laugh', 'rest', 'listen', 'wander', 'work', 'smile', 'dream', 'shine', 'fall', 'grow', 'run', 'swim'];
const REAL_ADJECTIVES = ['old', 'small', 'red', 'quiet', 'happy', 'dark', 'little', 'green', 'long', 'cold', 'bright', 'gentle', 'strange', 'heavy', 'early', 'empty', 'golden', 'wild', 'tired', 'open', 'ancient', 'clever', 'young', 'silver', 'warm', 'broken', 'honest', 'eager'];
const ADVERBS = ['slowly', 'quickly', 'again', 'together', 'at night', 'in the morning', 'every day', 'softly', 'alone', 'for a while', 'very often', 'once more'];
const PREPOSITIONS = ['in', 'on', 'under', 'near', 'behind', 'beside', 'across', 'over', 'with', 'by', 'into', 'from'];
const NAMES = ['Anna', 'Tom', 'Mira', 'Oskar', 'Lena', 'Ivo', 'Clara', 'Hugo', 'Elsa', 'Noah', 'Ida', 'Felix', 'Rosa', 'Emil', 'Vera', 'Otto'];
const PLACES = ['Dunmore', 'Ashford', 'Kelby', 'Marrow Hill', 'Lowmere', 'Eastbrook'];
const IDIOMS = [
  'once upon a time',
  'at the end of the day',
  'for better or for worse',
  'as far as anyone could tell',
  'in the blink of an eye',
  'without a word',
  'before the sun went down',
  'as it turned out',
  'to nobody\'s surprise',
  'little by little',
  'sooner or later',
  'all of a sudden',
];
const SPEECH = ['said', 'asked', 'whispered', 'called', 'answered', 'cried'];
const CONNECTIVES = ['and', 'but', 'so', 'because', 'while', 'although'];
const NUMBER_WORDS = ['two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'twelve'];
const IRREGULAR_PAST = { see: 'saw', find: 'found', build: 'built', hide: 'hid', catch: 'caught', hear: 'heard', keep: 'kept', leave: 'left', sleep: 'slept', sing: 'sang', fall: 'fell', grow: 'grew', run: 'ran', swim: 'swam', shine: 'shone' };
const IRREGULAR_PLURAL = { child: 'children', wolf: 'wolves', mouse: 'mice' };

function plural(noun) {
  if (IRREGULAR_PLURAL[noun]) return IRREGULAR_PLURAL[noun];
  if (/(s|x|z|ch|sh)$/.test(noun)) return noun + 'es';
  if (/[^aeiou]y$/.test(noun)) return noun.slice(0, -1) + 'ies';
  return noun + 's';
}
const thirdPerson = (verb) => (verb === 'carry' ? 'carries' : plural(verb));
function past(verb) {
  if (IRREGULAR_PAST[verb]) return IRREGULAR_PAST[verb];
  if (verb.endsWith('e')) return verb + 'd';
  if (/[^aeiou]y$/.test(verb)) return verb.slice(0, -1) + 'ied';
  return verb + 'ed';
}
const article = (word) => (/^[aeiou]/.test(word) ? 'an' : 'a');
const capitalise = (text) => text.charAt(0).toUpperCase() + text.slice(1);

/** The lexicon is fixed (its own seed), so train, val and holdout share it. */
function makeLexicon() {
  const random = makeRandom(20240611);
  const taken = new Set([...REAL_NOUNS, ...REAL_VERBS, ...INTRANSITIVE, ...REAL_ADJECTIVES]);
  const nouns = [...REAL_NOUNS, ...inventWords(random, 160, taken)];
  const verbs = [...REAL_VERBS, ...inventWords(random, 60, taken)];
  const adjectives = [...REAL_ADJECTIVES, ...inventWords(random, 60, taken)];
  return {
    noun: zipf(nouns),
    verb: zipf(verbs),
    intransitive: zipf(INTRANSITIVE),
    adjective: zipf(adjectives),
    adverb: zipf(ADVERBS),
    preposition: zipf(PREPOSITIONS, 0.8),
    name: zipf(NAMES, 0.9),
    place: zipf(PLACES, 0.7),
    idiom: zipf(IDIOMS, 0.8),
  };
}

// ---- phrases and sentences ----

/** A noun phrase of the given number; `topic` is the paragraph's favourite noun. */
function nounPhrase(random, lex, isPlural, topic) {
  const noun = topic !== undefined && chance(random, 0.35) ? topic : lex.noun(random);
  const adjectives = [];
  if (chance(random, 0.45)) adjectives.push(lex.adjective(random));
  if (chance(random, 0.12)) adjectives.push(lex.adjective(random));
  const head = [...adjectives, isPlural ? plural(noun) : noun].join(' ');
  let determiner;
  if (isPlural) {
    determiner = pick(random, ['the', 'the', 'these', 'those', 'some', 'many', 'all the', pick(random, NUMBER_WORDS)]);
  } else {
    const d = pick(random, ['the', 'the', 'the', 'a', 'a', 'this', 'that', 'every', 'my', 'her']);
    determiner = d === 'a' ? article(head) : d;
  }
  let phrase = `${determiner} ${head}`;
  if (chance(random, 0.15)) phrase += ` ${lex.preposition(random)} the ${lex.noun(random)}`;
  return phrase;
}

function subject(random, lex, topic) {
  if (chance(random, 0.25)) return { text: lex.name(random), isPlural: false };
  if (chance(random, 0.08)) return { text: `${lex.name(random)} and ${lex.name(random)}`, isPlural: true };
  const isPlural = chance(random, 0.4);
  return { text: nounPhrase(random, lex, isPlural, topic), isPlural };
}

/** A clause: subject, agreeing verb phrase, optional adverb / place. */
function clause(random, lex, topic, tense) {
  const subj = subject(random, lex, topic);
  let predicate;
  const kind = random();
  if (kind < 0.45) {
    const verb = lex.verb(random);
    const form = tense === 'past' ? past(verb) : subj.isPlural ? verb : thirdPerson(verb);
    predicate = `${form} ${nounPhrase(random, lex, chance(random, 0.35), topic)}`;
  } else if (kind < 0.7) {
    const verb = lex.intransitive(random);
    const form = tense === 'past' ? past(verb) : subj.isPlural ? verb : thirdPerson(verb);
    predicate = chance(random, 0.5) ? `${form} ${lex.adverb(random)}` : form;
  } else if (kind < 0.88) {
    const be = tense === 'past' ? (subj.isPlural ? 'were' : 'was') : subj.isPlural ? 'are' : 'is';
    predicate = `${be} ${chance(random, 0.3) ? 'very ' : ''}${lex.adjective(random)}`;
  } else {
    const be = tense === 'past' ? (subj.isPlural ? 'were' : 'was') : subj.isPlural ? 'are' : 'is';
    predicate = `${be} ${lex.preposition(random)} ${nounPhrase(random, lex, false, topic)}`;
  }
  let text = `${subj.text} ${predicate}`;
  if (chance(random, 0.1)) text += ` in ${lex.place(random)}`;
  return text;
}

function sentence(random, lex, topic, tense) {
  const kind = random();
  if (kind < 0.1) {
    return `${capitalise(lex.idiom(random))}, ${clause(random, lex, topic, tense)}.`;
  }
  if (kind < 0.2) {
    const speaker = lex.name(random);
    const verb = pick(random, SPEECH);
    const quoted = capitalise(clause(random, lex, topic, 'present'));
    return chance(random, 0.5) ? `"${quoted}," ${verb} ${speaker}.` : `${speaker} ${verb}, "${quoted}."`;
  }
  if (kind < 0.28) {
    const subj = subject(random, lex, topic);
    const aux = tense === 'past' ? 'Did' : subj.isPlural ? 'Do' : 'Does';
    return `${aux} ${subj.text} ${lex.verb(random)} ${nounPhrase(random, lex, false, topic)}?`;
  }
  if (kind < 0.34) {
    const year = 1700 + Math.floor(random() * 300);
    return `In ${year}, ${clause(random, lex, topic, 'past')}.`;
  }
  if (kind < 0.5) {
    const connective = pick(random, CONNECTIVES);
    return `${capitalise(clause(random, lex, topic, tense))}, ${connective} ${clause(random, lex, topic, tense)}.`;
  }
  if (kind < 0.56) {
    return `${capitalise(clause(random, lex, topic, tense))}, ${lex.idiom(random)}.`;
  }
  const end = chance(random, 0.06) ? '!' : '.';
  return `${capitalise(clause(random, lex, topic, tense))}${end}`;
}

/** Paragraphs (3-7 sentences, one topic noun, one tense) until `bytes` characters. */
function corpus(seed, bytes, lex) {
  const random = makeRandom(seed);
  const parts = [];
  let length = 0;
  let chapter = 0;
  while (length < bytes) {
    if (chance(random, 0.06) || chapter === 0) {
      chapter += 1;
      const heading = `Chapter ${chapter}: The ${capitalise(lex.adjective(random))} ${capitalise(lex.noun(random))}\n\n`;
      parts.push(heading);
      length += heading.length;
    }
    const topic = lex.noun(random);
    const tense = chance(random, 0.6) ? 'past' : 'present';
    const count = 3 + Math.floor(random() * 5);
    const sentences = [];
    for (let i = 0; i < count; i++) sentences.push(sentence(random, lex, topic, tense));
    const paragraph = sentences.join(' ') + '\n\n';
    parts.push(paragraph);
    length += paragraph.length;
  }
  return parts.join('').slice(0, bytes);
}

function folder(variable, fallback) {
  const dir = process.env[variable] || join(tmpdir(), 'autolab-golf', fallback);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const lexicon = makeLexicon();
const dataDir = folder('AUTOLAB_DATA', 'data');
const holdoutDir = folder('AUTOLAB_HOLDOUT', 'holdout');
const train = corpus(1, TRAIN_BYTES, lexicon);
const val = corpus(2, VAL_BYTES, lexicon);
const holdout = corpus(3, HOLDOUT_BYTES, lexicon);
writeFileSync(join(dataDir, 'train.txt'), train, 'latin1');
writeFileSync(join(dataDir, 'val.txt'), val, 'latin1');
writeFileSync(join(holdoutDir, 'holdout.txt'), holdout, 'latin1');
console.log(`prepare: wrote ${train.length} train and ${val.length} val bytes to ${dataDir}`);
console.log(`prepare: wrote ${holdout.length} holdout bytes to ${holdoutDir}`);
