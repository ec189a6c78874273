/**
 * The languages the service generates tracks in, and the BCP-47 rules for language filters.
 *
 * Tags are written in their canonical case ("pt-BR", "zh-Hans", "es-419") because they end up in track
 * ids, which clients compare as opaque strings; filters, on the other hand, are compared
 * case-insensitively (see {@link languageMatches}).
 */

// The tag grammar is the platform's, shared with profiles.
export { isWellFormedLanguageTag, MAX_LANGUAGE_TAG_LENGTH } from '@streamplane/streaming';

export interface SubtitleLanguage {
  /** BCP-47 tag, canonical case. */
  tag: string;
  /** Name of the language in itself, as a track picker shows it. */
  name: string;
  /** Placeholder dialogue lines. The tracks are about structure, not about a plot. */
  dialogue: readonly string[];
  /**
   * Sound descriptions for closed captions, already bracketed. Only languages that have them get
   * closed-caption tracks (as on real services, SDH exists for a handful of major languages).
   */
  sounds?: readonly string[];
  /** Forced-narrative lines: on-screen text (place/time cards) and a translated foreign-language line. */
  forced: readonly string[];
}

/** English: every title has English subtitles and English closed captions. */
export const ENGLISH: SubtitleLanguage = Object.freeze({
  tag: 'en',
  name: 'English',
  dialogue: [
    'Where were you last night?',
    "We don't have much time.",
    "I can't do this alone.",
    "Look at me. It's going to be fine.",
    'Did you hear that?',
    'Nobody leaves until we know the truth.',
  ],
  sounds: [
    '[door creaks]',
    '[footsteps approaching]',
    '[phone buzzing]',
    '[thunder rumbling]',
    '[tense music playing]',
    '[sighs]',
  ],
  forced: ['BERLIN, 1989', 'THREE WEEKS LATER', "Keep walking. They're watching us."],
});

/**
 * The other languages a title may have (20). A title gets 3–12 of them. Spanish and French come in two
 * variants each (Spain / Latin America as es-419, France / Canada), Portuguese as Brazilian, Chinese in
 * Simplified script: the mix a global service actually ships, and enough variants to make the
 * "'es' also matches 'es-419'" filter rule matter.
 */
export const OTHER_LANGUAGES: readonly SubtitleLanguage[] = Object.freeze([
  {
    tag: 'ar',
    name: 'العربية',
    dialogue: ['أين كنت الليلة الماضية؟', 'ليس لدينا الكثير من الوقت.', 'لا أستطيع فعل هذا وحدي.', 'هل سمعت ذلك؟'],
    forced: ['برلين، 1989', 'بعد ثلاثة أسابيع', 'استمر في المشي. إنهم يراقبوننا.'],
  },
  {
    tag: 'de',
    name: 'Deutsch',
    dialogue: [
      'Wo warst du letzte Nacht?',
      'Wir haben nicht viel Zeit.',
      'Ich schaffe das nicht allein.',
      'Sieh mich an. Alles wird gut.',
      'Hast du das gehört?',
    ],
    sounds: ['[Tür knarrt]', '[Schritte nähern sich]', '[Handy vibriert]', '[Donner grollt]', '[seufzt]'],
    forced: ['BERLIN, 1989', 'DREI WOCHEN SPÄTER', 'Geh weiter. Sie beobachten uns.'],
  },
  {
    tag: 'es',
    name: 'Español (España)',
    dialogue: [
      '¿Dónde estuviste anoche?',
      'No tenemos mucho tiempo.',
      'No puedo hacer esto solo.',
      'Mírame. Todo saldrá bien.',
      '¿Has oído eso?',
    ],
    sounds: ['[cruje la puerta]', '[pasos que se acercan]', '[vibra el móvil]', '[retumba un trueno]', '[suspira]'],
    forced: ['BERLÍN, 1989', 'TRES SEMANAS DESPUÉS', 'Sigue andando. Nos están vigilando.'],
  },
  {
    tag: 'es-419',
    name: 'Español (Latinoamérica)',
    dialogue: [
      '¿Dónde estabas anoche?',
      'No tenemos mucho tiempo.',
      'No puedo hacer esto solo.',
      'Mírame. Todo va a estar bien.',
      '¿Escuchaste eso?',
    ],
    sounds: ['[rechina la puerta]', '[pasos acercándose]', '[vibra el celular]', '[truena]', '[suspira]'],
    forced: ['BERLÍN, 1989', 'TRES SEMANAS DESPUÉS', 'Sigue caminando. Nos están vigilando.'],
  },
  {
    tag: 'fr',
    name: 'Français',
    dialogue: [
      'Où étais-tu hier soir ?',
      "Nous n'avons pas beaucoup de temps.",
      'Je ne peux pas faire ça seul.',
      'Regarde-moi. Tout ira bien.',
      'Tu as entendu ça ?',
    ],
    sounds: [
      '[grincement de porte]',
      '[bruits de pas]',
      '[le téléphone vibre]',
      '[grondement de tonnerre]',
      '[soupir]',
    ],
    forced: ['BERLIN, 1989', 'TROIS SEMAINES PLUS TARD', 'Continue de marcher. Ils nous surveillent.'],
  },
  {
    tag: 'fr-CA',
    name: 'Français (Canada)',
    dialogue: [
      'Où étais-tu hier soir?',
      "On n'a pas beaucoup de temps.",
      'Je peux pas faire ça tout seul.',
      'Regarde-moi. Ça va bien aller.',
      'As-tu entendu ça?',
    ],
    sounds: ['[la porte grince]', '[des pas approchent]', '[le cellulaire vibre]', '[coup de tonnerre]', '[soupir]'],
    forced: ['BERLIN, 1989', 'TROIS SEMAINES PLUS TARD', 'Continue de marcher. Ils nous surveillent.'],
  },
  {
    tag: 'he',
    name: 'עברית',
    dialogue: ['איפה היית אתמול בלילה?', 'אין לנו הרבה זמן.', 'אני לא יכול לעשות את זה לבד.', 'שמעת את זה?'],
    forced: ['ברלין, 1989', 'שלושה שבועות לאחר מכן', 'תמשיך ללכת. הם מסתכלים עלינו.'],
  },
  {
    tag: 'hi',
    name: 'हिन्दी',
    dialogue: ['कल रात तुम कहाँ थे?', 'हमारे पास ज़्यादा समय नहीं है।', 'मैं यह अकेले नहीं कर सकता।', 'क्या तुमने वह सुना?'],
    forced: ['बर्लिन, 1989', 'तीन हफ़्ते बाद', 'चलते रहो। वे हमें देख रहे हैं।'],
  },
  {
    tag: 'id',
    name: 'Bahasa Indonesia',
    dialogue: [
      'Kamu ke mana tadi malam?',
      'Waktu kita tidak banyak.',
      'Aku tidak bisa melakukan ini sendirian.',
      'Kamu dengar itu?',
    ],
    forced: ['BERLIN, 1989', 'TIGA MINGGU KEMUDIAN', 'Terus berjalan. Mereka mengawasi kita.'],
  },
  {
    tag: 'it',
    name: 'Italiano',
    dialogue: [
      "Dov'eri ieri sera?",
      'Non abbiamo molto tempo.',
      'Non posso farcela da solo.',
      'Guardami. Andrà tutto bene.',
      'Hai sentito?',
    ],
    sounds: ['[cigolio di una porta]', '[passi che si avvicinano]', '[il telefono vibra]', '[tuoni]', '[sospira]'],
    forced: ['BERLINO, 1989', 'TRE SETTIMANE DOPO', 'Continua a camminare. Ci stanno osservando.'],
  },
  {
    tag: 'ja',
    name: '日本語',
    dialogue: [
      '昨夜はどこにいたの？',
      '時間がない。',
      '一人じゃ無理だ。',
      '私を見て。大丈夫だから。',
      '今の聞こえた？',
    ],
    sounds: ['[ドアがきしむ音]', '[近づく足音]', '[携帯の振動音]', '[雷鳴]', '[ため息]'],
    forced: ['ベルリン 1989年', '3週間後', '歩き続けて。見張られてる。'],
  },
  {
    tag: 'ko',
    name: '한국어',
    dialogue: [
      '어젯밤에 어디 있었어?',
      '시간이 별로 없어.',
      '나 혼자서는 못 해.',
      '날 봐. 다 괜찮을 거야.',
      '방금 그거 들었어?',
    ],
    sounds: ['[문이 삐걱거린다]', '[다가오는 발소리]', '[휴대폰 진동]', '[천둥소리]', '[한숨]'],
    forced: ['베를린, 1989년', '3주 후', '계속 걸어. 우릴 지켜보고 있어.'],
  },
  {
    tag: 'nl',
    name: 'Nederlands',
    dialogue: ['Waar was je gisteravond?', 'We hebben niet veel tijd.', 'Ik kan dit niet alleen.', 'Hoorde je dat?'],
    forced: ['BERLIJN, 1989', 'DRIE WEKEN LATER', 'Blijf lopen. Ze houden ons in de gaten.'],
  },
  {
    tag: 'pl',
    name: 'Polski',
    dialogue: ['Gdzie byłeś wczoraj wieczorem?', 'Nie mamy dużo czasu.', 'Nie dam rady sam.', 'Słyszałeś to?'],
    forced: ['BERLIN, 1989', 'TRZY TYGODNIE PÓŹNIEJ', 'Idź dalej. Obserwują nas.'],
  },
  {
    tag: 'pt-BR',
    name: 'Português (Brasil)',
    dialogue: [
      'Onde você estava ontem à noite?',
      'Não temos muito tempo.',
      'Eu não consigo fazer isso sozinho.',
      'Olha pra mim. Vai ficar tudo bem.',
      'Você ouviu isso?',
    ],
    sounds: ['[porta rangendo]', '[passos se aproximando]', '[celular vibrando]', '[trovão]', '[suspira]'],
    forced: ['BERLIM, 1989', 'TRÊS SEMANAS DEPOIS', 'Continue andando. Estão nos vigiando.'],
  },
  {
    tag: 'ru',
    name: 'Русский',
    dialogue: ['Где ты был вчера вечером?', 'У нас мало времени.', 'Я не справлюсь один.', 'Ты это слышал?'],
    forced: ['БЕРЛИН, 1989', 'ТРИ НЕДЕЛИ СПУСТЯ', 'Иди дальше. За нами следят.'],
  },
  {
    tag: 'sv',
    name: 'Svenska',
    dialogue: [
      'Var var du i går kväll?',
      'Vi har inte mycket tid.',
      'Jag klarar inte det här ensam.',
      'Hörde du det där?',
    ],
    forced: ['BERLIN, 1989', 'TRE VECKOR SENARE', 'Fortsätt gå. De håller koll på oss.'],
  },
  {
    tag: 'th',
    name: 'ไทย',
    dialogue: ['เมื่อคืนคุณไปไหนมา', 'เรามีเวลาไม่มาก', 'ฉันทำคนเดียวไม่ได้', 'ได้ยินนั่นไหม'],
    forced: ['เบอร์ลิน ค.ศ. 1989', 'สามสัปดาห์ต่อมา', 'เดินต่อไป พวกมันจับตาดูเราอยู่'],
  },
  {
    tag: 'tr',
    name: 'Türkçe',
    dialogue: ['Dün gece neredeydin?', 'Fazla vaktimiz yok.', 'Bunu tek başıma yapamam.', 'Bunu duydun mu?'],
    forced: ['BERLİN, 1989', 'ÜÇ HAFTA SONRA', 'Yürümeye devam et. Bizi izliyorlar.'],
  },
  {
    tag: 'zh-Hans',
    name: '中文（简体）',
    dialogue: [
      '你昨晚去哪儿了？',
      '我们时间不多了。',
      '我一个人做不到。',
      '看着我。一切都会好起来的。',
      '你听到了吗？',
    ],
    forced: ['柏林，1989年', '三周后', '继续走。他们在监视我们。'],
  },
] satisfies SubtitleLanguage[]);

const BY_TAG: ReadonlyMap<string, SubtitleLanguage> = new Map(
  [ENGLISH, ...OTHER_LANGUAGES].map((language) => [language.tag, language]),
);

/** The language entry for a tag in canonical case, or undefined when the service has no such language. */
export function subtitleLanguage(tag: string): SubtitleLanguage | undefined {
  return BY_TAG.get(tag);
}

// ---------------------------------------------------------------------------------------------------------
// BCP-47

/**
 * Whether a track in language `tag` passes the filter entry `range`: RFC 4647 basic filtering,
 * case-insensitive. The range matches the tag itself and every tag that extends it at a subtag boundary:
 * "en" matches "en" and "en-GB", "es" matches "es-419", "zh" matches "zh-Hans"; "es-MX" does not match
 * "es-419" (a filter is a filter, not a fallback chain) and "e" does not match "en".
 */
export function languageMatches(range: string, tag: string): boolean {
  const r = range.toLowerCase();
  const t = tag.toLowerCase();
  return t === r || t.startsWith(`${r}-`);
}
