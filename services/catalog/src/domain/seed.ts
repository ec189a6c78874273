import type { MaturityLevel, Title, TitleType } from './title';
import { MATURITY_RATINGS } from './title';
import { mix32, SeededRandom } from '@streamplane/streaming';

/**
 * The deterministic catalog seed. Same input, same catalog, on every machine: a seeded PRNG (mulberry32)
 * and no clock, no Math.random, no network.
 *
 * Each title draws from its own PRNG stream, derived from the catalog seed and its index, and title
 * names are made unique in id order, so `generateCatalog(n)` is always a prefix of
 * `generateCatalog(m)` for n ≤ m: growing the catalog never changes existing titles.
 *
 * Fixed fixtures (for demos and tests of other services):
 * - `tt00001` "The Silent Crown": movie, drama/thriller, PG-13 (13), every country, HDR, complexity 0.5
 *   (its ladder carries the design's figures exactly: 235 kbps … 5,800 kbps @ 1080p, 16,000 @ 2160p).
 * - `tt00002` "Little Otter Academy": animated kids series, TV-Y (0), every country, no HDR.
 * - `tt00003` "Hollow Harbor": horror series, TV-MA (18), every country, HDR.
 * - `tt00004` "Tokyo Nights": movie available only in JP, KR and SG (not in the US).
 */

export const CATALOG_SEED = 0x5eed2026;
export const DEFAULT_TITLE_COUNT = 2000;
/** Title ids have five digits, so a catalog holds at most 99,999 titles. */
export const MAX_TITLE_COUNT = 99_999;

/** The 30 countries the service operates in (ISO 3166-1 alpha-2), grouped by region. */
const REGIONS: Readonly<Record<string, readonly string[]>> = {
  americas: ['US', 'CA', 'MX', 'BR', 'AR', 'CL', 'CO'],
  europe: ['GB', 'IE', 'FR', 'DE', 'ES', 'IT', 'NL', 'SE', 'NO', 'DK', 'PL', 'PT'],
  apac: ['IN', 'JP', 'KR', 'AU', 'NZ', 'SG'],
  mea: ['ZA', 'NG', 'EG', 'TR', 'AE'],
};

export const SEED_COUNTRIES: readonly string[] = Object.values(REGIONS).flat().sort();

export function formatTitleId(n: number): string {
  return `tt${String(n).padStart(5, '0')}`;
}

// ---------------------------------------------------------------------------------------------------------
// Word lists

type Gender = 'm' | 'f' | 'n';

interface Noun {
  en: string;
  plural: string;
  es: readonly [string, 'm' | 'f'];
  fr: readonly [string, 'm' | 'f'];
  de: readonly [string, Gender];
}

const n = (en: string, plural: string, es: Noun['es'], fr: Noun['fr'], de: Noun['de']): Noun => ({
  en,
  plural,
  es,
  fr,
  de,
});

const NOUNS: readonly Noun[] = [
  n('Night', 'Nights', ['noche', 'f'], ['nuit', 'f'], ['Nacht', 'f']),
  n('Crown', 'Crowns', ['corona', 'f'], ['couronne', 'f'], ['Krone', 'f']),
  n('Ocean', 'Oceans', ['océano', 'm'], ['océan', 'm'], ['Ozean', 'm']),
  n('Kingdom', 'Kingdoms', ['reino', 'm'], ['royaume', 'm'], ['Königreich', 'n']),
  n('Empire', 'Empires', ['imperio', 'm'], ['empire', 'm'], ['Imperium', 'n']),
  n('Signal', 'Signals', ['señal', 'f'], ['signal', 'm'], ['Signal', 'n']),
  n('Harbor', 'Harbors', ['puerto', 'm'], ['port', 'm'], ['Hafen', 'm']),
  n('Garden', 'Gardens', ['jardín', 'm'], ['jardin', 'm'], ['Garten', 'm']),
  n('Horizon', 'Horizons', ['horizonte', 'm'], ['horizon', 'm'], ['Horizont', 'm']),
  n('River', 'Rivers', ['río', 'm'], ['rivière', 'f'], ['Fluss', 'm']),
  n('Shadow', 'Shadows', ['sombra', 'f'], ['ombre', 'f'], ['Schatten', 'm']),
  n('Storm', 'Storms', ['tormenta', 'f'], ['tempête', 'f'], ['Sturm', 'm']),
  n('Witness', 'Witnesses', ['testigo', 'm'], ['témoin', 'm'], ['Zeuge', 'm']),
  n('Frontier', 'Frontiers', ['frontera', 'f'], ['frontière', 'f'], ['Grenze', 'f']),
  n('Mirror', 'Mirrors', ['espejo', 'm'], ['miroir', 'm'], ['Spiegel', 'm']),
  n('Island', 'Islands', ['isla', 'f'], ['île', 'f'], ['Insel', 'f']),
  n('Summer', 'Summers', ['verano', 'm'], ['été', 'm'], ['Sommer', 'm']),
  n('Winter', 'Winters', ['invierno', 'm'], ['hiver', 'm'], ['Winter', 'm']),
  n('Tide', 'Tides', ['marea', 'f'], ['marée', 'f'], ['Flut', 'f']),
  n('Legacy', 'Legacies', ['legado', 'm'], ['héritage', 'm'], ['Erbe', 'n']),
  n('Station', 'Stations', ['estación', 'f'], ['station', 'f'], ['Station', 'f']),
  n('Echo', 'Echoes', ['eco', 'm'], ['écho', 'm'], ['Echo', 'n']),
  n('Lighthouse', 'Lighthouses', ['faro', 'm'], ['phare', 'm'], ['Leuchtturm', 'm']),
  n('City', 'Cities', ['ciudad', 'f'], ['ville', 'f'], ['Stadt', 'f']),
  n('Fire', 'Fires', ['fuego', 'm'], ['feu', 'm'], ['Feuer', 'n']),
  n('Heart', 'Hearts', ['corazón', 'm'], ['cœur', 'm'], ['Herz', 'n']),
  n('Moon', 'Moons', ['luna', 'f'], ['lune', 'f'], ['Mond', 'm']),
  n('Road', 'Roads', ['camino', 'm'], ['route', 'f'], ['Straße', 'f']),
  n('Game', 'Games', ['juego', 'm'], ['jeu', 'm'], ['Spiel', 'n']),
  n('House', 'Houses', ['casa', 'f'], ['maison', 'f'], ['Haus', 'n']),
  n('Sky', 'Skies', ['cielo', 'm'], ['ciel', 'm'], ['Himmel', 'm']),
  n('Queen', 'Queens', ['reina', 'f'], ['reine', 'f'], ['Königin', 'f']),
  n('Forest', 'Forests', ['bosque', 'm'], ['forêt', 'f'], ['Wald', 'm']),
  n('Mountain', 'Mountains', ['montaña', 'f'], ['montagne', 'f'], ['Berg', 'm']),
];

interface Adjective {
  en: string;
  /** Masculine and feminine forms. */
  es: readonly [string, string];
  fr: readonly [string, string];
  /** Weak nominative form, as after der/die/das. */
  de: string;
  /** Goes before the noun in Spanish and French. */
  before?: boolean;
}

const a = (en: string, es: Adjective['es'], fr: Adjective['fr'], de: string, before = false): Adjective => ({
  en,
  es,
  fr,
  de,
  before,
});

const ADJECTIVES: readonly Adjective[] = [
  a('Silent', ['silencioso', 'silenciosa'], ['silencieux', 'silencieuse'], 'stille'),
  a('Broken', ['roto', 'rota'], ['brisé', 'brisée'], 'zerbrochene'),
  a('Golden', ['dorado', 'dorada'], ['doré', 'dorée'], 'goldene'),
  a('Hidden', ['oculto', 'oculta'], ['caché', 'cachée'], 'verborgene'),
  a('Last', ['último', 'última'], ['dernier', 'dernière'], 'letzte', true),
  a('Dark', ['oscuro', 'oscura'], ['sombre', 'sombre'], 'dunkle'),
  a('Wild', ['salvaje', 'salvaje'], ['sauvage', 'sauvage'], 'wilde'),
  a('Burning', ['ardiente', 'ardiente'], ['ardent', 'ardente'], 'brennende'),
  a('Frozen', ['helado', 'helada'], ['gelé', 'gelée'], 'gefrorene'),
  a('Crimson', ['carmesí', 'carmesí'], ['pourpre', 'pourpre'], 'purpurrote'),
  a('Lost', ['perdido', 'perdida'], ['perdu', 'perdue'], 'verlorene'),
  a('Quiet', ['tranquilo', 'tranquila'], ['tranquille', 'tranquille'], 'ruhige'),
  a('Iron', ['de hierro', 'de hierro'], ['de fer', 'de fer'], 'eiserne'),
  a('Distant', ['lejano', 'lejana'], ['lointain', 'lointaine'], 'ferne'),
  a('Sacred', ['sagrado', 'sagrada'], ['sacré', 'sacrée'], 'heilige'),
  a('Fallen', ['caído', 'caída'], ['déchu', 'déchue'], 'gefallene'),
  a('Secret', ['secreto', 'secreta'], ['secret', 'secrète'], 'geheime'),
  a('Eternal', ['eterno', 'eterna'], ['éternel', 'éternelle'], 'ewige'),
  a('Little', ['pequeño', 'pequeña'], ['petit', 'petite'], 'kleine', true),
  a('Northern', ['del norte', 'del norte'], ['du Nord', 'du Nord'], 'nördliche'),
  a('Electric', ['eléctrico', 'eléctrica'], ['électrique', 'électrique'], 'elektrische'),
  a('Velvet', ['de terciopelo', 'de terciopelo'], ['de velours', 'de velours'], 'samtene'),
];

/** The "of …" part of "Crown of Ashes", already translated. */
const OF_PHRASES: readonly { en: string; es: string; fr: string; de: string }[] = [
  { en: 'Ashes', es: 'de cenizas', fr: 'de cendres', de: 'aus Asche' },
  { en: 'Shadows', es: 'de sombras', fr: "d'ombres", de: 'der Schatten' },
  { en: 'Stars', es: 'de estrellas', fr: "d'étoiles", de: 'der Sterne' },
  { en: 'Glass', es: 'de cristal', fr: 'de verre', de: 'aus Glas' },
  { en: 'Smoke', es: 'de humo', fr: 'de fumée', de: 'aus Rauch' },
  { en: 'Bones', es: 'de huesos', fr: "d'os", de: 'aus Knochen' },
  { en: 'Thorns', es: 'de espinas', fr: "d'épines", de: 'aus Dornen' },
  { en: 'Gold', es: 'de oro', fr: "d'or", de: 'aus Gold' },
  { en: 'Salt', es: 'de sal', fr: 'de sel', de: 'aus Salz' },
  { en: 'Silence', es: 'del silencio', fr: 'du silence', de: 'der Stille' },
  { en: 'Lies', es: 'de mentiras', fr: 'de mensonges', de: 'der Lügen' },
  { en: 'Kings', es: 'de reyes', fr: 'des rois', de: 'der Könige' },
  { en: 'Tomorrow', es: 'del mañana', fr: 'de demain', de: 'von morgen' },
  { en: 'Storms', es: 'de tormentas', fr: 'de tempêtes', de: 'der Stürme' },
  { en: 'Dreams', es: 'de sueños', fr: 'de rêves', de: 'der Träume' },
  { en: 'Blood', es: 'de sangre', fr: 'de sang', de: 'aus Blut' },
  { en: 'Wolves', es: 'de lobos', fr: 'de loups', de: 'der Wölfe' },
  { en: 'Ice', es: 'de hielo', fr: 'de glace', de: 'aus Eis' },
];

const MOOD_ADJECTIVES = [
  'Stranger',
  'Midnight',
  'Wild',
  'Golden',
  'Silent',
  'Broken',
  'Hidden',
  'Distant',
  'Burning',
  'Electric',
  'Lost',
  'Crimson',
  'Savage',
  'Velvet',
  'Endless',
  'Bright',
  'Neon',
  'Paper',
];

const SUFFIXES = [
  'Protocol',
  'Shift',
  'Files',
  'Diaries',
  'Chronicles',
  'Club',
  'Society',
  'Run',
  'Effect',
  'Project',
  'Paradox',
  'Line',
  'Point',
  'Zero',
  'Rising',
  'Falls',
  'Patrol',
  'Heist',
];

const PLACES = [
  'Lisbon',
  'Tokyo',
  'Havana',
  'Marrakesh',
  'Oslo',
  'Cairo',
  'Seoul',
  'Lagos',
  'Mumbai',
  'Berlin',
  'Sydney',
  'Montreal',
  'Naples',
  'Istanbul',
  'Manila',
  'Bogota',
  'Reykjavik',
  'Dakar',
  'Kyoto',
  'Glasgow',
];

const PLACE_SUFFIXES = [
  'Nights',
  'Heist',
  'Blues',
  'Vice',
  'Story',
  'Confidential',
  'Express',
  'Dreams',
  'Calling',
  'Rising',
  'Diaries',
  'Undercover',
];

const ANIMALS = [
  'Otter',
  'Fox',
  'Panda',
  'Penguin',
  'Dragon',
  'Robot',
  'Owl',
  'Bunny',
  'Tiger',
  'Whale',
  'Dino',
  'Llama',
  'Koala',
  'Hedgehog',
  'Octopus',
  'Unicorn',
  'Badger',
  'Puffin',
];

const KID_ADJECTIVES = ['Little', 'Brave', 'Tiny', 'Super', 'Sleepy', 'Cosmic', 'Happy', 'Clever', 'Mighty', 'Jolly'];

const KID_WISHES = [
  'Wanted to Fly',
  'Saved the Holidays',
  'Lost Its Hat',
  'Could Not Sleep',
  'Loved the Moon',
  'Learned to Swim',
];

const DOC_SUBJECTS = [
  'Deep Ocean',
  'Great Migration',
  'Arctic',
  'Rainforest',
  'Cartel',
  'Championship',
  'Orchestra',
  'Volcano',
  'Coral Reef',
  'Silk Road',
  'Kitchen',
  'Algorithm',
  'Crown',
  'Night Sky',
  'Last Glacier',
  'Storm',
];

const FIRST_NAMES = [
  'Dana',
  'Marcus',
  'Priya',
  'Kenji',
  'Amara',
  'Luis',
  'Sofia',
  'Tomasz',
  'Ingrid',
  'Kwame',
  'Mei',
  'Olivia',
  'Rafael',
  'Noor',
  'Jonah',
  'Zara',
  'Elif',
  'Diego',
];

const LAST_NAMES = [
  'Reyes',
  'Okafor',
  'Nakamura',
  'Lindqvist',
  'Moreau',
  'Kowalski',
  'Haddad',
  'Bennett',
  'Santos',
  'Kapoor',
  'Park',
  "O'Neill",
  'Fischer',
  'Adeyemi',
  'Costa',
  'Novak',
];

const STAND_UP_TAGLINES = [
  'Unfiltered',
  'No Notes',
  'Overthinking It',
  'Dad Jokes',
  'Home Game',
  'Small Talk',
  'Worth the Wait',
  'Still Here',
  'Out of Office',
];

// ---------------------------------------------------------------------------------------------------------
// Names

interface Naming {
  name: string;
  localizedNames: Record<string, string>;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function frenchArticle(gender: 'm' | 'f', nextWord: string): string {
  if (/^[aeiouyhàâéèêëîïôöûüœ]/i.test(nextWord)) return "l'";
  return gender === 'm' ? 'le ' : 'la ';
}

const GERMAN_ARTICLES: Readonly<Record<Gender, string>> = { m: 'Der', f: 'Die', n: 'Das' };

/** "The Silent Crown" → La corona silenciosa / La couronne silencieuse / Die stille Krone. */
function adjectiveNounNaming(adj: Adjective, noun: Noun): Naming {
  const [esNoun, esGender] = noun.es;
  const esAdj = adj.es[esGender === 'm' ? 0 : 1];
  const esWords = adj.before ? `${esAdj} ${esNoun}` : `${esNoun} ${esAdj}`;
  const [frNoun, frGender] = noun.fr;
  const frAdj = adj.fr[frGender === 'm' ? 0 : 1];
  const frWords = adj.before ? `${frAdj} ${frNoun}` : `${frNoun} ${frAdj}`;
  const [deNoun, deGender] = noun.de;
  return {
    name: `The ${adj.en} ${noun.en}`,
    localizedNames: {
      de: `${GERMAN_ARTICLES[deGender]} ${adj.de} ${deNoun}`,
      es: `${esGender === 'm' ? 'El' : 'La'} ${esWords}`,
      fr: capitalize(`${frenchArticle(frGender, frWords)}${frWords}`),
    },
  };
}

/** "Crown of Ashes" → Corona de cenizas / Couronne de cendres / Krone aus Asche. */
function nounOfNaming(noun: Noun, of: (typeof OF_PHRASES)[number]): Naming {
  return {
    name: `${noun.en} of ${of.en}`,
    localizedNames: {
      de: `${noun.de[0]} ${of.de}`,
      es: capitalize(`${noun.es[0]} ${of.es}`),
      fr: capitalize(`${noun.fr[0]} ${of.fr}`),
    },
  };
}

const plain = (name: string): Naming => ({ name, localizedNames: {} });

function person(rng: SeededRandom): string {
  return `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
}

function generalNaming(rng: SeededRandom): Naming {
  const noun = rng.pick(NOUNS);
  switch (
    rng.weighted<number>([
      [1, 30],
      [2, 20],
      [3, 15],
      [4, 15],
      [5, 10],
      [6, 10],
    ])
  ) {
    case 1:
      return adjectiveNounNaming(rng.pick(ADJECTIVES), noun);
    case 2:
      return nounOfNaming(noun, rng.pick(OF_PHRASES));
    case 3:
      return plain(`${rng.pick(MOOD_ADJECTIVES)} ${noun.plural}`);
    case 4:
      return plain(`${noun.en} ${rng.pick(SUFFIXES)}`);
    case 5:
      return plain(`${rng.pick(PLACES)} ${rng.pick(PLACE_SUFFIXES)}`);
    default: {
      const place = rng.pick(PLACES);
      return plain(
        rng.pick([
          `Beyond the ${noun.en}`,
          `Return to ${place}`,
          `Escape from ${place}`,
          `Letters from ${place}`,
          `A ${rng.pick(['Summer', 'Winter', 'Spring', 'Autumn'])} in ${place}`,
          `The Last ${noun.en} of ${place}`,
          `Under the ${noun.en}`,
          `After the ${noun.en}`,
        ]),
      );
    }
  }
}

function kidsNaming(rng: SeededRandom): Naming {
  const animal = rng.pick(ANIMALS);
  const adj = rng.pick(KID_ADJECTIVES);
  return plain(
    rng.pick([
      `${adj} ${animal} Academy`,
      `Captain ${animal}`,
      `The ${adj} ${animal}`,
      `${animal} & Friends`,
      `${animal} Rescue Squad`,
      `The ${animal} Who ${rng.pick(KID_WISHES)}`,
      `${adj} ${animal}s in Space`,
      `${animal} Island`,
      `${adj} ${animal} and the ${rng.pick(NOUNS).en}`,
    ]),
  );
}

function documentaryNaming(rng: SeededRandom, genres: readonly string[]): Naming {
  if (genres.includes('crime')) {
    const place = rng.pick(PLACES);
    return plain(
      rng.pick([
        `The ${place} Murders`,
        `Conviction: The ${place} Case`,
        `Who Killed ${person(rng)}?`,
        `${rng.pick(NOUNS).en} of Lies`,
      ]),
    );
  }
  if (genres.includes('musical')) {
    return plain(
      rng.pick([`${person(rng)}: Backstage`, `Sound of ${rng.pick(PLACES)}`, `The ${rng.pick(PLACES)} Sessions`]),
    );
  }
  const subject = rng.pick(DOC_SUBJECTS);
  return plain(
    rng.pick([
      `Inside the ${subject}`,
      `Secrets of the ${subject}`,
      `Chasing the ${subject}`,
      `Our ${subject}`,
      `Planet ${rng.pick(NOUNS).en}`,
      `The ${subject} Years`,
    ]),
  );
}

function realityNaming(rng: SeededRandom): Naming {
  const noun = rng.pick(NOUNS).en;
  const place = rng.pick(PLACES);
  return plain(
    rng.pick([
      `Love on the ${noun}`,
      `The ${noun} Games`,
      `Ultimate ${noun} Challenge`,
      `Selling ${place}`,
      `${place} Kitchen Wars`,
      `Dating in ${place}`,
    ]),
  );
}

function specialNaming(rng: SeededRandom, genres: readonly string[]): Naming {
  if (genres.includes('stand-up')) return plain(`${person(rng)}: ${rng.pick(STAND_UP_TAGLINES)}`);
  if (genres.includes('musical')) {
    return plain(rng.pick([`${person(rng)}: Live from ${rng.pick(PLACES)}`, `${rng.pick(PLACES)} Sessions Live`]));
  }
  return plain(`The ${rng.pick(KID_ADJECTIVES)} ${rng.pick(ANIMALS)} Holiday Special`);
}

function drawNaming(rng: SeededRandom, type: TitleType, genres: readonly string[]): Naming {
  if (type === 'SPECIAL') return specialNaming(rng, genres);
  if (type === 'DOCUMENTARY') return documentaryNaming(rng, genres);
  if (genres.includes('reality')) return realityNaming(rng);
  if ((genres.includes('kids') || genres.includes('animation')) && rng.chance(0.8)) return kidsNaming(rng);
  return generalNaming(rng);
}

const ROMAN = ['', '', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X'];

/** Draws a name not used yet; after a few collisions, numbers it like a sequel ("… II"). */
function uniqueNaming(rng: SeededRandom, type: TitleType, genres: readonly string[], used: Set<string>): Naming {
  let naming = drawNaming(rng, type, genres);
  for (let attempt = 0; attempt < 6 && used.has(naming.name); attempt++) {
    naming = drawNaming(rng, type, genres);
  }
  if (used.has(naming.name)) {
    for (let k = 2; ; k++) {
      const numeral = ROMAN[k] ?? String(k);
      const candidate = `${naming.name} ${numeral}`;
      if (used.has(candidate)) continue;
      const localizedNames: Record<string, string> = {};
      for (const [lang, localized] of Object.entries(naming.localizedNames)) {
        localizedNames[lang] = `${localized} ${numeral}`;
      }
      naming = { name: candidate, localizedNames };
      break;
    }
  }
  used.add(naming.name);
  return naming;
}

// ---------------------------------------------------------------------------------------------------------
// Genres, ratings, complexity

const MOVIE_PRIMARY: readonly (readonly [string, number])[] = [
  ['drama', 16],
  ['comedy', 13],
  ['action', 12],
  ['thriller', 10],
  ['crime', 7],
  ['horror', 7],
  ['romance', 7],
  ['sci-fi', 7],
  ['adventure', 5],
  ['fantasy', 4],
  ['mystery', 4],
  ['animation', 5],
  ['family', 4],
  ['kids', 3],
  ['musical', 2],
];

const SERIES_PRIMARY: readonly (readonly [string, number])[] = [
  ...MOVIE_PRIMARY.filter(([genre]) => genre !== 'musical'),
  ['reality', 8],
  ['kids', 4],
  ['documentary', 3],
];

const COMPANIONS: Readonly<Record<string, readonly string[]>> = {
  action: ['adventure', 'thriller', 'sci-fi', 'crime', 'fantasy', 'comedy'],
  adventure: ['action', 'fantasy', 'family', 'comedy', 'sci-fi'],
  animation: ['kids', 'family', 'comedy', 'adventure', 'fantasy'],
  comedy: ['romance', 'drama', 'family', 'crime'],
  crime: ['drama', 'thriller', 'mystery'],
  documentary: ['crime', 'musical', 'family'],
  drama: ['romance', 'crime', 'mystery', 'thriller'],
  family: ['comedy', 'adventure', 'animation', 'fantasy', 'kids'],
  fantasy: ['adventure', 'drama', 'action', 'romance'],
  horror: ['thriller', 'mystery', 'sci-fi'],
  kids: ['animation', 'family', 'comedy', 'adventure'],
  musical: ['romance', 'comedy', 'drama', 'family'],
  mystery: ['thriller', 'crime', 'drama'],
  reality: ['comedy', 'romance'],
  romance: ['comedy', 'drama'],
  'sci-fi': ['action', 'thriller', 'drama', 'adventure'],
  'stand-up': ['comedy'],
  thriller: ['crime', 'mystery', 'drama', 'action'],
};

function drawGenres(rng: SeededRandom, type: TitleType): string[] {
  let primary: string;
  switch (type) {
    case 'DOCUMENTARY':
      primary = 'documentary';
      break;
    case 'SPECIAL':
      primary = rng.weighted([
        ['stand-up', 60],
        ['musical', 25],
        ['family', 15],
      ]);
      break;
    case 'SERIES':
      primary = rng.weighted(SERIES_PRIMARY);
      break;
    default:
      primary = rng.weighted(MOVIE_PRIMARY);
  }
  if (primary === 'stand-up') return ['stand-up', 'comedy'];
  const extra = rng.weighted([
    [0, 30],
    [1, 45],
    [2, 25],
  ]);
  return [primary, ...rng.sample(COMPANIONS[primary] ?? [], extra)];
}

const LEVEL_WEIGHTS: readonly { when: (genres: readonly string[]) => boolean; weights: [MaturityLevel, number][] }[] = [
  {
    when: (g) => g.includes('kids'),
    weights: [
      [0, 60],
      [7, 40],
    ],
  },
  {
    when: (g) => g.includes('horror'),
    weights: [
      [16, 45],
      [18, 55],
    ],
  },
  {
    when: (g) => g.includes('animation') || g.includes('family'),
    weights: [
      [0, 35],
      [7, 40],
      [13, 20],
      [16, 5],
    ],
  },
  {
    when: (g) => g.includes('crime') || g.includes('thriller'),
    weights: [
      [13, 35],
      [16, 35],
      [18, 30],
    ],
  },
  {
    when: (g) => g.includes('stand-up'),
    weights: [
      [13, 30],
      [16, 30],
      [18, 40],
    ],
  },
  {
    when: (g) => g.includes('documentary'),
    weights: [
      [0, 15],
      [7, 25],
      [13, 40],
      [16, 15],
      [18, 5],
    ],
  },
  {
    when: (g) => g.includes('reality'),
    weights: [
      [7, 20],
      [13, 50],
      [16, 20],
      [18, 10],
    ],
  },
  {
    when: () => true,
    weights: [
      [0, 5],
      [7, 15],
      [13, 40],
      [16, 25],
      [18, 15],
    ],
  },
];

/** Film labels for movies and documentaries, TV labels for series and specials. */
function drawRating(rng: SeededRandom, type: TitleType, genres: readonly string[]): string {
  const rule = LEVEL_WEIGHTS.find((r) => r.when(genres))!;
  const level = rng.weighted(rule.weights);
  const film = type === 'MOVIE' || type === 'DOCUMENTARY';
  const kids = genres.includes('kids');
  switch (level) {
    case 0:
      return film ? 'G' : kids ? 'TV-Y' : 'TV-G';
    case 7:
      return film ? 'PG' : kids ? rng.pick(['TV-Y7', 'TV-Y7-FV']) : 'TV-PG';
    case 13:
      return film ? 'PG-13' : 'TV-14';
    case 16:
      return film ? 'R' : 'TV-MA';
    default:
      // NC-17 is rare in practice: most adults-only films carry an R.
      return film ? (rng.chance(0.3) ? 'NC-17' : 'R') : 'TV-MA';
  }
}

/** Complexity ranges; animation (flat colour, little grain) dominates, otherwise the hardest genre wins. */
const COMPLEXITY_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  animation: [0.2, 0.4],
  'stand-up': [0.2, 0.35],
  kids: [0.3, 0.5],
  documentary: [0.35, 0.6],
  comedy: [0.4, 0.6],
  drama: [0.4, 0.6],
  family: [0.4, 0.6],
  musical: [0.4, 0.6],
  mystery: [0.4, 0.6],
  reality: [0.4, 0.6],
  romance: [0.4, 0.6],
  adventure: [0.55, 0.8],
  crime: [0.55, 0.8],
  fantasy: [0.55, 0.8],
  horror: [0.55, 0.8],
  thriller: [0.55, 0.8],
  action: [0.7, 1.0],
  'sci-fi': [0.7, 1.0],
};

function drawComplexity(rng: SeededRandom, genres: readonly string[]): number {
  let range: readonly [number, number] = COMPLEXITY_RANGES['animation']!;
  if (!genres.includes('animation')) {
    range = [0, 0];
    for (const genre of genres) {
      const candidate = COMPLEXITY_RANGES[genre];
      if (candidate && candidate[1] > range[1]) range = candidate;
    }
  }
  return Math.round((range[0] + rng.float() * (range[1] - range[0])) * 100) / 100;
}

// ---------------------------------------------------------------------------------------------------------
// Years, runtimes, availability, synopses

function drawReleaseYear(rng: SeededRandom): number {
  // Skewed towards recent years: about half of the catalog is from 2000 or later, a fifth from the 2020s.
  return Math.max(1950, 2026 - Math.floor(77 * Math.pow(rng.float(), 1.7)));
}

function drawHdr(rng: SeededRandom, releaseYear: number): boolean {
  // About 40 % overall.
  if (releaseYear >= 2016) return rng.chance(0.85);
  if (releaseYear >= 2008) return rng.chance(0.5);
  return rng.chance(0.12); // remastered classics
}

function drawRuntime(rng: SeededRandom, type: TitleType, genres: readonly string[]): number {
  const has = (g: string) => genres.includes(g);
  switch (type) {
    case 'MOVIE':
      if (has('kids') || has('animation')) return rng.int(80, 100);
      return 85 + Math.floor(Math.pow(rng.float(), 1.8) * 96); // 85–180, mostly 90–130
    case 'DOCUMENTARY':
      return rng.int(80, 130);
    case 'SERIES':
      if (has('kids')) return rng.int(20, 25);
      if (has('animation') || genres[0] === 'comedy') return rng.int(20, 30);
      if (has('reality')) return rng.int(40, 50);
      return rng.int(40, 60);
    default:
      if (has('stand-up')) return rng.int(45, 60);
      if (has('musical')) return rng.int(40, 60);
      return rng.int(20, 45);
  }
}

/**
 * About 65 % of titles are available everywhere, 15 % everywhere but one to four countries, and 20 % only
 * in a regional subset (licensing windows).
 */
function drawCountries(rng: SeededRandom): string[] {
  const kind = rng.weighted([
    ['global', 65],
    ['most', 15],
    ['regional', 20],
  ]);
  if (kind === 'global') return [...SEED_COUNTRIES];
  if (kind === 'most') {
    const excluded = new Set(rng.sample(SEED_COUNTRIES, rng.int(1, 4)));
    return SEED_COUNTRIES.filter((c) => !excluded.has(c));
  }
  const regionNames = Object.keys(REGIONS);
  const home = REGIONS[rng.pick(regionNames)]!;
  const chosen = new Set(home.filter(() => rng.chance(0.7)));
  for (const country of rng.sample(home, 2)) chosen.add(country);
  if (rng.chance(0.3)) {
    const other = REGIONS[rng.pick(regionNames)]!;
    for (const country of rng.sample(other, rng.int(1, 3))) chosen.add(country);
  }
  return [...chosen].sort();
}

const PROTAGONISTS = [
  'a disgraced detective',
  'a small-town teacher',
  'a retired astronaut',
  'an ambitious chef',
  'a teenage hacker',
  'a widowed fisherman',
  'a rookie paramedic',
  'a grieving architect',
  'a former spy',
  'a reluctant heir',
  'a night-shift nurse',
  'a struggling musician',
  'an aging boxer',
  'a tight-knit group of friends',
];

const INCITING = [
  'uncovers a secret buried beneath PLACE',
  'receives a letter from someone who died years ago',
  'inherits a crumbling house in PLACE',
  'witnesses a crime no one else believes happened',
  'is offered one last job in PLACE',
  'returns home to PLACE after twenty years',
  'finds a map hidden in a library book',
  'wakes up with no memory of the last week',
];

const STAKES = [
  'must decide who to trust before time runs out',
  'the truth threatens everyone they love',
  'an unlikely friendship changes everything',
  'nothing in PLACE is what it seems',
  'the past refuses to stay buried',
  'every choice comes with a price',
];

const KID_ACTIVITIES = [
  'explore the deep blue sea',
  'learn why the moon changes shape',
  'build a rocket out of cardboard',
  'solve gentle mysteries around the village',
  'find out what makes a good friend',
  'plan the biggest birthday party ever',
];

const DOC_TOPICS = [
  'the scientists racing to save a dying coral reef',
  'a small-town murder that divided a nation',
  'the rise and fall of a tech empire',
  'a season with an underdog football club',
  "the world's most remote lighthouse keepers",
  "the musicians who built a city's sound",
  'the chefs reinventing street food in PLACE',
  'the last great migration across the savanna',
];

const STAND_UP_TOPICS = [
  'sharp takes on family, fame and flat-pack furniture',
  'an hour about parenting, anxiety and airport security',
  'stories from a childhood spent on the road',
  'a fearless set about dating apps and getting older',
];

const REALITY_PREMISES = [
  'Ten singles move into a villa in PLACE, where one rule could cost them the prize.',
  'Home cooks from across the country battle it out in PLACE for a life-changing prize.',
  'Rival real-estate agents chase the most extravagant listings in PLACE.',
  'Strangers race across PLACE with nothing but a map and a shared budget.',
];

function drawSynopsis(rng: SeededRandom, name: string, type: TitleType, genres: readonly string[]): string {
  const place = rng.pick(PLACES);
  const at = (text: string) => text.replace('PLACE', place);
  if (genres.includes('stand-up')) {
    return `${name.split(':')[0]} takes the stage in ${place} with ${rng.pick(STAND_UP_TOPICS)}.`;
  }
  if (genres.includes('kids') || (genres.includes('animation') && rng.chance(0.5))) {
    const animal = ANIMALS.find((candidate) => name.includes(candidate)) ?? rng.pick(ANIMALS);
    const hero = `${rng.pick(['', 'brave ', 'curious ', 'tiny '])}${animal.toLowerCase()}`;
    const article = /^[aeio]/.test(hero) ? 'an' : 'a';
    return `Join ${article} ${hero} and friends as they ${rng.pick(KID_ACTIVITIES)}.`;
  }
  if (type === 'DOCUMENTARY' || genres.includes('documentary')) {
    return `This documentary ${rng.pick(['follows', 'investigates', 'goes inside the world of', 'tells the story of'])} ${at(rng.pick(DOC_TOPICS))}.`;
  }
  if (genres.includes('reality')) return at(rng.pick(REALITY_PREMISES));
  if (type === 'SPECIAL') return `A one-night-only celebration recorded live in ${place}.`;
  return `${capitalize(rng.pick(PROTAGONISTS))} ${at(rng.pick(INCITING))}, and ${at(rng.pick(STAKES))}.`;
}

// ---------------------------------------------------------------------------------------------------------
// Fixtures and the generator

const FIXTURES: readonly Title[] = [
  {
    titleId: 'tt00001',
    name: 'The Silent Crown',
    type: 'MOVIE',
    genres: ['drama', 'thriller'],
    maturityRating: 'PG-13',
    maturityLevel: 13,
    releaseYear: 2019,
    runtimeMinutes: 124,
    availableCountries: [...SEED_COUNTRIES],
    synopsis:
      'When the heir to a mountain kingdom stops speaking after a palace fire, a royal interpreter must decide which secrets to translate and which to bury.',
    hdrAvailable: true,
    localizedNames: { de: 'Die stille Krone', es: 'La corona silenciosa', fr: 'La couronne silencieuse' },
    complexity: 0.5,
  },
  {
    titleId: 'tt00002',
    name: 'Little Otter Academy',
    type: 'SERIES',
    genres: ['animation', 'kids', 'family'],
    maturityRating: 'TV-Y',
    maturityLevel: 0,
    releaseYear: 2021,
    runtimeMinutes: 22,
    availableCountries: [...SEED_COUNTRIES],
    synopsis: 'Join a tiny otter and friends as they learn to swim, share and build the best dam on the river.',
    hdrAvailable: false,
    localizedNames: {
      de: 'Die kleine Otter-Akademie',
      es: 'La pequeña academia de nutrias',
      fr: 'La petite académie des loutres',
    },
    complexity: 0.25,
  },
  {
    titleId: 'tt00003',
    name: 'Hollow Harbor',
    type: 'SERIES',
    genres: ['horror', 'mystery'],
    maturityRating: 'TV-MA',
    maturityLevel: 18,
    releaseYear: 2023,
    runtimeMinutes: 52,
    availableCountries: [...SEED_COUNTRIES],
    synopsis: 'A fishing town goes quiet every winter, and this year the people who vanish start coming back.',
    hdrAvailable: true,
    localizedNames: {},
    complexity: 0.7,
  },
  {
    titleId: 'tt00004',
    name: 'Tokyo Nights',
    type: 'MOVIE',
    genres: ['romance', 'drama'],
    maturityRating: 'PG-13',
    maturityLevel: 13,
    releaseYear: 2017,
    runtimeMinutes: 112,
    availableCountries: ['JP', 'KR', 'SG'],
    synopsis: 'Two strangers who keep missing the last train home spend one summer of nights walking Tokyo until dawn.',
    hdrAvailable: false,
    localizedNames: {},
    complexity: 0.45,
  },
];

function cloneTitle(title: Title): Title {
  return {
    ...title,
    genres: [...title.genres],
    availableCountries: [...title.availableCountries],
    localizedNames: { ...title.localizedNames },
  };
}

function generateTitle(index: number, used: Set<string>): Title {
  const rng = new SeededRandom(mix32(CATALOG_SEED ^ Math.imul(index, 0x9e3779b1)));
  const type = rng.weighted<TitleType>([
    ['MOVIE', 45],
    ['SERIES', 35],
    ['DOCUMENTARY', 12],
    ['SPECIAL', 8],
  ]);
  const genres = drawGenres(rng, type);
  const { name, localizedNames } = uniqueNaming(rng, type, genres, used);
  const maturityRating = drawRating(rng, type, genres);
  const releaseYear = drawReleaseYear(rng);
  return {
    titleId: formatTitleId(index),
    name,
    type,
    genres,
    maturityRating,
    maturityLevel: MATURITY_RATINGS[maturityRating]!,
    releaseYear,
    runtimeMinutes: drawRuntime(rng, type, genres),
    availableCountries: drawCountries(rng),
    synopsis: drawSynopsis(rng, name, type, genres),
    hdrAvailable: drawHdr(rng, releaseYear),
    localizedNames,
    complexity: drawComplexity(rng, genres),
  };
}

/**
 * Generates the catalog: `count` titles `tt00001` … in id order. Deterministic; each call returns fresh
 * objects.
 */
export function generateCatalog(count: number = DEFAULT_TITLE_COUNT): Title[] {
  if (!Number.isInteger(count) || count < 0 || count > MAX_TITLE_COUNT) {
    throw new RangeError(`count must be an integer in 0..${MAX_TITLE_COUNT}, got ${count}`);
  }
  const used = new Set<string>();
  const titles: Title[] = [];
  for (let index = 1; index <= count; index++) {
    const fixture = FIXTURES[index - 1];
    const title = fixture ? cloneTitle(fixture) : generateTitle(index, used);
    used.add(title.name);
    titles.push(title);
  }
  return titles;
}
