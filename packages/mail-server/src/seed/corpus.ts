// Static text corpus for the seeder. Owns: the pool of ~60 correspondents (people and automated
// senders across several domains, locales and time zones), per-locale greetings, subjects,
// paragraphs and preferred charsets, and the spam / newsletter / notification vocabulary.
// All content is original filler written for Ferry; every domain is under the reserved .example
// or .invalid TLDs (RFC 2606) so nothing here can reach a real mailbox.

import type { Charset } from "./mime";

export type Locale =
  | "en"
  | "de"
  | "fr"
  | "es"
  | "pt"
  | "it"
  | "sv"
  | "ja"
  | "zh"
  | "ru"
  | "sr"
  | "pl"
  | "cs"
  | "el"
  | "ar";

export type MailClient = "thunderbird" | "apple" | "outlook" | "webmail" | "k9" | "mutt";

export interface Person {
  name: string;
  email: string;
  locale: Locale;
  /** UTC offset in minutes, used for the Date header */
  tz: number;
  org: string;
  client: MailClient;
}

export type ServiceKind = "newsletter" | "notification" | "receipt" | "alert" | "ticket" | "travel";

export interface Service {
  name: string;
  email: string;
  kind: ServiceKind;
  org: string;
  /** web site for links, without scheme */
  site: string;
}

function p(name: string, email: string, locale: Locale, tz: number, client: MailClient): Person {
  const domain = email.slice(email.indexOf("@") + 1);
  const org = domain.split(".")[0] ?? domain;
  return { name, email, locale, tz, org: org.charAt(0).toUpperCase() + org.slice(1), client };
}

export const PEOPLE: readonly Person[] = [
  p("Alice Johnson", "alice.johnson@acme.example", "en", -300, "thunderbird"),
  p("Bob Martinez", "bob@globex.example", "en", -480, "webmail"),
  p("Carol Nguyen", "carol.nguyen@initech.example", "en", -360, "outlook"),
  p("David O'Connor", "doconnor@example.com", "en", 0, "apple"),
  p("Emily Clarke", "emily.clarke@example.org", "en", 60, "thunderbird"),
  p("Frank Wu", "frank.wu@hooli.example", "en", -480, "webmail"),
  p("Grace Hopper-Smith", "grace@piedpiper.example", "en", -480, "mutt"),
  p("Henry Adeyemi", "h.adeyemi@umbrella.example", "en", 60, "outlook"),
  p("Isabel Turner", "isabel@example.net", "en", -300, "apple"),
  p("Jack Thompson", "jthompson@acme.example", "en", -300, "outlook"),
  p("Karen Patel", "karen.patel@globex.example", "en", 330, "webmail"),
  p("Liam Murphy", "liam@example.com", "en", 0, "k9"),
  p("Maya Goldberg", "maya.goldberg@initech.example", "en", 120, "thunderbird"),
  p("Nathan Brooks", "nbrooks@hooli.example", "en", -420, "apple"),
  p("Olivia Chen", "olivia.chen@example.org", "en", 480, "webmail"),
  p("Priya Raman", "priya@piedpiper.example", "en", 330, "thunderbird"),
  p("Quentin Blake", "quentin.blake@example.net", "en", 0, "outlook"),
  p("Rachel Kim", "rachel.kim@umbrella.example", "en", 540, "apple"),
  p("Samuel Okafor", "sam.okafor@example.com", "en", 60, "webmail"),
  p("Tara O'Neill", "tara@acme.example", "en", 0, "k9"),
  p("Victor Hughes, PhD", "v.hughes@university.example", "en", -300, "mutt"),
  p("Jürgen Müller", "j.mueller@beispiel.example", "de", 60, "thunderbird"),
  p("Anna Schäfer", "anna.schaefer@firma.example", "de", 60, "outlook"),
  p("Björn Weiß", "bjoern.weiss@beispiel.example", "de", 60, "apple"),
  p("Sophie Köhler", "sophie@stadtwerke.example", "de", 60, "webmail"),
  p("Lukas Groß", "lukas.gross@firma.example", "de", 60, "k9"),
  p("Chloé Dubois", "chloe.dubois@exemple.example", "fr", 60, "outlook"),
  p("François Lefèvre", "f.lefevre@societe.example", "fr", 60, "thunderbird"),
  p("Amélie Rousseau", "amelie@exemple.example", "fr", 60, "apple"),
  p("Théo Bérard", "theo.berard@societe.example", "fr", 60, "webmail"),
  p("José Martínez", "jose.martinez@ejemplo.example", "es", 60, "outlook"),
  p("Lucía Fernández", "lucia@ejemplo.example", "es", -180, "webmail"),
  p("Íñigo Peña", "inigo.pena@ejemplo.example", "es", 60, "thunderbird"),
  p("João Gonçalves", "joao@exemplo.example", "pt", -180, "apple"),
  p("Giulia Rossi 🌻", "giulia@esempio.example", "it", 60, "webmail"),
  p("Zoë Ångström", "zoe.angstrom@exempel.example", "sv", 60, "thunderbird"),
  p("Åsa Lindqvist", "asa.lindqvist@exempel.example", "sv", 60, "apple"),
  p("山田太郎", "yamada@kaisha.example", "ja", 540, "outlook"),
  p("佐藤花子", "hanako.sato@kaisha.example", "ja", 540, "thunderbird"),
  p("鈴木一郎", "suzuki@shinbun.example", "ja", 540, "webmail"),
  p("李雷", "li.lei@gongsi.example", "zh", 480, "webmail"),
  p("韩梅梅", "hanmeimei@gongsi.example", "zh", 480, "apple"),
  p("王芳", "wang.fang@daxue.example", "zh", 480, "thunderbird"),
  p("Дмитрий Иванов", "d.ivanov@primer.example", "ru", 180, "thunderbird"),
  p("Наталья Смирнова", "natalia@primer.example", "ru", 180, "outlook"),
  p("Ðorđe Petrović", "djordje@primer.example", "sr", 60, "thunderbird"),
  p("Milica Jovanović", "milica@primer.example", "sr", 60, "webmail"),
  p("Łukasz Wiśniewski", "lukasz@przyklad.example", "pl", 60, "k9"),
  p("Zuzana Dvořáková", "zuzana@priklad.example", "cs", 60, "outlook"),
  p("Νίκος Παπαδόπουλος", "nikos@paradeigma.example", "el", 120, "apple"),
  p("ليلى حداد", "layla@mithal.example", "ar", 180, "webmail"),
];

export const SERVICES: readonly Service[] = [
  {
    name: "The Daily Byte",
    email: "digest@dailybyte.example",
    kind: "newsletter",
    org: "Daily Byte",
    site: "dailybyte.example",
  },
  {
    name: "Ferry Weekly",
    email: "newsletter@ferry-news.example",
    kind: "newsletter",
    org: "Ferry News",
    site: "ferry-news.example",
  },
  {
    name: "CodeHub",
    email: "notifications@codehub.example",
    kind: "notification",
    org: "CodeHub",
    site: "codehub.example",
  },
  {
    name: "Acme Billing",
    email: "billing@acme.example",
    kind: "receipt",
    org: "Acme",
    site: "billing.acme.example",
  },
  {
    name: "Shop Online",
    email: "orders@shop.example",
    kind: "receipt",
    org: "Shop Online",
    site: "shop.example",
  },
  {
    name: "Bank of Example",
    email: "alerts@bank.example",
    kind: "alert",
    org: "Bank of Example",
    site: "bank.example",
  },
  {
    name: "IT Helpdesk",
    email: "helpdesk@initech.example",
    kind: "ticket",
    org: "Initech IT",
    site: "support.initech.example",
  },
  {
    name: "Travel Deals ✈️",
    email: "deals@travel.example",
    kind: "travel",
    org: "Travel Deals",
    site: "travel.example",
  },
  {
    name: "Accounts",
    email: "no-reply@accounts.example",
    kind: "alert",
    org: "Accounts",
    site: "accounts.example",
  },
];

export interface LocaleText {
  greeting: (first: string) => string;
  signoff: readonly string[];
  wrote: (date: string, name: string) => string;
  subjects: readonly string[];
  paragraphs: readonly string[];
  /** body charsets this locale's senders use, with weights */
  charsets: readonly (readonly [Charset, number])[];
}

export const PROJECTS = [
  "Apollo",
  "Lighthouse",
  "Falcon",
  "Q3 roadmap",
  "the migration",
  "onboarding",
  "Bluebird",
  "the offsite",
  "Harbor",
  "release 4.2",
  "the audit",
  "Pegasus",
] as const;

export const CITIES = [
  "Berlin",
  "Lisbon",
  "Toronto",
  "Osaka",
  "Nairobi",
  "Melbourne",
  "Reykjavík",
  "São Paulo",
  "Kraków",
  "Montréal",
] as const;

export const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"] as const;

// Placeholders: {project} {city} {weekday} {n} {link} {amount} {first}
const EN: LocaleText = {
  greeting: (first) => `Hi ${first},`,
  signoff: ["Best,", "Thanks,", "Cheers,", "Kind regards,", "Talk soon,", "—", "Best regards,"],
  wrote: (date, name) => `On ${date}, ${name} wrote:`,
  subjects: [
    "Quick question about {project}",
    "Notes from today's meeting",
    "{project} status update",
    "Lunch on {weekday}?",
    "Draft proposal for {project} – feedback welcome",
    "Can you review this by {weekday}?",
    "Trip to {city}",
    "Updated budget spreadsheet",
    "Follow-up: action items",
    "Hiring plan for next quarter",
    "Photos from the weekend",
    "Invoice {n}",
    "Contract renewal",
    "Re-org announcement",
    "Heads up: server maintenance tonight",
    "Welcome aboard!",
    "Question on the API design",
    "Slides for {weekday}",
    "Conference in {city} — are you going?",
    "{project}: risks and open questions",
    "Happy birthday! 🎂",
    "Out of office until {weekday}",
    "The numbers you asked for",
    "Design review: {project}",
    "Team dinner 🍕",
    "Short call tomorrow?",
    "Feedback on the “new” onboarding flow",
    "Minutes: weekly sync #{n}",
    "Security review findings for {project}",
    "Can we move our 1:1?",
    "A very long subject line that keeps going because someone pasted the whole first sentence of the message into it by mistake, as people do",
    "Customer escalation — urgent",
    "Thank you!",
    "Reading list",
    "Retro notes ({project})",
    "Parking at the {city} office",
    "New laptop setup",
    "Are we still on for {weekday}?",
    "Book club: next pick 📚",
    "Performance numbers after the cache change",
  ],
  paragraphs: [
    "I had a look at the latest version and I think we are almost there. The main thing I would still change is the order of the sections, so that the summary comes first and the details follow.",
    "Could you send me the figures for last month when you get a chance? I need them for the report on {weekday}, and the finance team has been asking about the travel costs in particular.",
    "Attached are my notes from the call. The short version: the vendor can deliver by the end of the month, but only if we confirm the order this week.",
    "We agreed to push the launch of {project} by two weeks. Nobody is thrilled about it, but the alternative was shipping with the sync bug, which would have been worse.",
    "Thanks for organizing everything, it went really smoothly. Several people told me afterwards that it was the most useful session we've had all year.",
    "I'm going to be in {city} from {weekday} to Friday. If you're around, it would be great to grab a coffee and talk about the next phase.",
    "The build on main is green again. The flaky test turned out to be a timezone issue: it only failed between midnight and 1 a.m. UTC, which is why nobody could reproduce it.",
    "Here is the link to the document: {link} — anyone with the link can comment, so feel free to forward it to whoever should weigh in.",
    "I don't think we should commit to a date yet. There are still three open questions on the data model, and each of them could add a week.",
    "Quick reminder that expense reports for the quarter are due on {weekday}. Please include the receipts; the new system rejects claims without them.",
    "Sorry for the slow reply — I was out sick most of last week and I'm still catching up on email.",
    "The customer reported that search is slow on mailboxes with more than 50,000 messages. I reproduced it locally; the culprit seems to be the missing index on the date column.",
    "Let me know if {weekday} at 10:30 works for you. Otherwise I'm fairly free on Thursday afternoon.",
    "We're planning a small get-together for the team after the release. Nothing fancy, just pizza and board games at the office. Partners are welcome!",
    "I went through the contract and marked a few clauses that legal should look at, mostly around liability and the termination notice period.",
    "The invoice total is {amount}. Payment terms are 30 days from the invoice date; bank details are on the second page.",
    "Great work on the demo yesterday. The client was impressed, and they asked whether we could do a follow-up session with their engineering team.",
    "One thing that confused me: the numbers in the summary table don't add up to the total at the bottom. Am I reading it wrong?",
    "I've attached the slides. The last three are backup material in case the discussion goes into the technical details.",
    "Could we keep this between us for now? The announcement is planned for next week and I'd rather people hear it from the leadership team first.",
    "FYI, the staging environment will be down tonight from 22:00 to 23:30 for the database upgrade. Production is not affected.",
    "My flight lands at 14:05, so I should be at the office around four. Start without me if I'm late.",
    "I really like the idea, but I'm worried about the maintenance cost. Who would own this once the project team moves on?",
    "Thanks again for your help with the move. The new place is lovely, and the cat has already claimed the sunniest windowsill.",
    "We hit 99.97% availability last month. The only incident was the certificate renewal on the 12th, which took the API down for eleven minutes.",
    "Welcome to the team! Your accounts should be ready by Monday morning. If anything is missing, ping the helpdesk or just ask me.",
    "Please find the updated spreadsheet attached. I added a column for the projected costs and highlighted the rows that changed since the last version.",
    "Did you get a chance to look at my pull request? It's small, but it blocks the next two changes.",
    "There's a “known issue” page on the wiki now: {link}. It's not pretty, but at least it's all in one place.",
    "I'm okay with either option. If I had to choose, I'd go with the simpler one and revisit it in six months.",
    "Just checking in — how did the interview go? I heard the candidate was strong on the system design part.",
    "Happy Friday! The photos from the offsite are up on the shared drive, including the one of the failed kayak launch.",
  ],
  charsets: [
    ["UTF-8", 85],
    ["windows-1252", 10],
    ["ISO-8859-1", 5],
  ],
};

const DE: LocaleText = {
  greeting: (first) => `Hallo ${first},`,
  signoff: ["Viele Grüße", "Beste Grüße", "Schöne Grüße", "Liebe Grüße"],
  wrote: (date, name) => `Am ${date} schrieb ${name}:`,
  subjects: [
    "Rückfrage zum Angebot",
    "Termin nächste Woche",
    "Protokoll der Besprechung vom {weekday}",
    "Änderungen am Vertrag für {project}",
    "Urlaubsplanung für Juli",
    "Überweisung erhalten – vielen Dank!",
    "Einladung zur Weihnachtsfeier 🎄",
    "Grüße aus {city}",
  ],
  paragraphs: [
    "vielen Dank für die schnelle Rückmeldung. Ich habe die Änderungen übernommen und schicke dir die überarbeitete Fassung bis morgen früh.",
    "Können wir den Termin auf Donnerstag verschieben? Am Mittwoch bin ich leider den ganzen Tag bei einem Kunden in München.",
    "Die Rechnung über {amount} ist heute eingegangen. Bitte prüfe noch einmal die Lieferadresse, die stimmt nämlich nicht mit der Bestellung überein.",
    "Anbei das Protokoll der letzten Sitzung. Die offenen Punkte habe ich gelb markiert; größere Änderungen gab es diesmal nicht.",
    "Ich würde vorschlagen, dass wir uns erst einmal auf die wichtigsten Funktionen konzentrieren. Alles Weitere können wir später ergänzen.",
    "Schöne Grüße aus dem verschneiten Süden, hier liegt seit Montag ein halber Meter Schnee, und die Straßen sind spiegelglatt.",
  ],
  charsets: [
    ["UTF-8", 55],
    ["ISO-8859-1", 35],
    ["windows-1252", 10],
  ],
};

const FR: LocaleText = {
  greeting: (first) => `Bonjour ${first},`,
  signoff: ["Bien cordialement,", "Bonne journée,", "À bientôt,", "Merci d’avance,"],
  wrote: (date, name) => `Le ${date}, ${name} a écrit :`,
  subjects: [
    "Réunion de suivi – {project}",
    "Question sur la facture n° {n}",
    "Compte rendu de l’atelier",
    "Déjeuner la semaine prochaine ?",
    "Œuvres sélectionnées pour l’exposition",
    "Congés d’été",
  ],
  paragraphs: [
    "Merci pour votre retour rapide. J’ai bien reçu le devis et je reviens vers vous d’ici la fin de la semaine avec nos remarques.",
    "Le montant total s’élève à 1 250 € hors taxes. Pourriez-vous me confirmer l’adresse de facturation avant l’envoi ?",
    "Nous avons décidé de reporter la réunion à jeudi, car plusieurs collègues seront en déplacement à {city} mercredi.",
    "Vous trouverez ci-joint le compte rendu de l’atelier. Les œuvres retenues sont indiquées en gras ; n’hésitez pas à me signaler toute erreur.",
    "Je suis désolée pour le retard : la connexion à l’hôtel était très mauvaise et je n’ai pas pu envoyer le fichier plus tôt.",
  ],
  charsets: [
    ["UTF-8", 50],
    ["windows-1252", 35],
    ["ISO-8859-1", 15],
  ],
};

const ES: LocaleText = {
  greeting: (first) => `Hola ${first}:`,
  signoff: ["Un saludo,", "Saludos cordiales,", "¡Gracias!", "Un abrazo,"],
  wrote: (date, name) => `El ${date}, ${name} escribió:`,
  subjects: [
    "¿Nos vemos el {weekday}?",
    "Presupuesto actualizado",
    "Reunión del equipo – año nuevo",
    "Información sobre la mudanza",
  ],
  paragraphs: [
    "Muchas gracias por la información. Revisaré el presupuesto con el equipo y te responderé antes del viernes.",
    "¿Podrías enviarme la versión más reciente del documento? La que tengo es de hace dos semanas y creo que faltan las últimas correcciones.",
    "El próximo año nos mudamos a una oficina más grande, cerca de la estación. Habrá más salas de reuniones y, por fin, una cocina decente.",
    "Te adjunto las fotos de la reunión en {city}. ¡Qué bien lo pasamos! Espero que podamos repetirlo pronto.",
  ],
  charsets: [
    ["UTF-8", 60],
    ["ISO-8859-1", 40],
  ],
};

const PT: LocaleText = {
  greeting: (first) => `Olá ${first},`,
  signoff: ["Abraços,", "Atenciosamente,", "Obrigado!"],
  wrote: (date, name) => `Em ${date}, ${name} escreveu:`,
  subjects: ["Orçamento para o projeto {project}", "Reunião de amanhã", "Férias em {city}"],
  paragraphs: [
    "Obrigado pela resposta rápida. Vou analisar o orçamento com a equipe e retorno até sexta-feira.",
    "A reunião de amanhã foi confirmada para as 15h. Não se esqueça de trazer as informações sobre a instalação.",
    "As férias foram ótimas! Conhecemos lugares lindos e comemos muito bem. Mando as fotos em seguida.",
  ],
  charsets: [
    ["UTF-8", 60],
    ["ISO-8859-1", 40],
  ],
};

const IT: LocaleText = {
  greeting: (first) => `Ciao ${first},`,
  signoff: ["A presto,", "Un saluto,", "Grazie mille,"],
  wrote: (date, name) => `Il giorno ${date}, ${name} ha scritto:`,
  subjects: ["Cena di venerdì 🍝", "Aggiornamento su {project}", "Già fatto?"],
  paragraphs: [
    "Grazie per l'aggiornamento. Ho già parlato con il fornitore e la consegna è confermata per lunedì.",
    "Perché non organizziamo una cena venerdì sera? Conosco un posto carino vicino alla stazione, la pizza è ottima.",
    "Ti allego il documento con le modifiche. Fammi sapere se c’è qualcosa che non è chiaro.",
  ],
  charsets: [
    ["UTF-8", 70],
    ["ISO-8859-1", 30],
  ],
};

const SV: LocaleText = {
  greeting: (first) => `Hej ${first}!`,
  signoff: ["Med vänliga hälsningar,", "Hälsningar,", "Ha det bra!"],
  wrote: (date, name) => `Den ${date} skrev ${name}:`,
  subjects: ["Fika på fredag?", "Möte om {project}", "Årsredovisning för 2024"],
  paragraphs: [
    "Tack för igår! Det var väldigt trevligt att äntligen träffas på riktigt efter alla videomöten.",
    "Jag har gått igenom årsredovisningen och har några små frågor om avskrivningarna. Kan vi ta det på måndag?",
    "Välkommen på fika i köket på fredag klockan tre. Åsa bakar kanelbullar, så kom i tid!",
  ],
  charsets: [
    ["UTF-8", 60],
    ["ISO-8859-1", 40],
  ],
};

const JA: LocaleText = {
  greeting: (first) => `${first}様`,
  signoff: ["よろしくお願いいたします。", "以上、よろしくお願いします。"],
  wrote: (date, name) => `${date} ${name} さんは書きました:`,
  subjects: [
    "打ち合わせの件",
    "見積書の送付について",
    "【ご確認】来週の予定",
    "資料ありがとうございました",
    "新年のご挨拶",
  ],
  paragraphs: [
    "いつもお世話になっております。先日の打ち合わせの議事録を添付いたしますので、ご確認ください。",
    "来週の会議ですが、水曜日の午後に変更していただくことは可能でしょうか。",
    "見積書を送付いたします。ご不明な点がございましたら、お気軽にお問い合わせください。",
    "資料を拝見しました。全体的にとても分かりやすく、特に最後のまとめが良いと思います。",
  ],
  charsets: [
    ["ISO-2022-JP", 40],
    ["UTF-8", 40],
    ["Shift_JIS", 20],
  ],
};

const ZH: LocaleText = {
  greeting: (first) => `${first}，你好：`,
  signoff: ["谢谢！", "祝好，", "此致"],
  wrote: (date, name) => `${name} 于 ${date} 写道：`,
  subjects: ["关于下周会议的安排", "项目进度更新", "周末聚餐 🎉", "合同草案请审阅"],
  paragraphs: [
    "附件是上次会议的纪要，请查收。如有遗漏，请随时告诉我。",
    "项目目前进展顺利，预计下个月初可以完成第一阶段的测试。",
    "这个周末大家一起去吃火锅吧，我已经订好了位子，晚上七点见。",
    "合同草案已经准备好了，请在周五之前审阅并提出修改意见。",
  ],
  charsets: [["UTF-8", 100]],
};

const RU: LocaleText = {
  greeting: (first) => `Здравствуйте, ${first}!`,
  signoff: ["С уважением,", "Спасибо,", "Всего доброго,"],
  wrote: (date, name) => `${date}, ${name} пишет:`,
  subjects: [
    "Встреча в четверг",
    "Отчёт за квартал",
    "Вопрос по договору",
    "Поздравляю с праздником!",
  ],
  paragraphs: [
    "Спасибо за быстрый ответ. Я посмотрю документы сегодня вечером и напишу вам завтра утром.",
    "Отчёт за квартал готов, но некоторые цифры ещё нужно проверить. Предлагаю обсудить это на встрече в четверг.",
    "Поздравляю вас и всю команду с успешным запуском проекта! Это была огромная работа.",
  ],
  charsets: [
    ["KOI8-R", 45],
    ["UTF-8", 55],
  ],
};

const SR: LocaleText = {
  greeting: (first) => `Zdravo ${first},`,
  signoff: ["Pozdrav,", "Hvala unapred,", "Srdačno,"],
  wrote: (date, name) => `${date}, ${name} je napisao/la:`,
  subjects: ["Sastanak u četvrtak", "Ponuda za {project}", "Đački izlet – spisak"],
  paragraphs: [
    "Hvala na brzom odgovoru. Pogledaću dokumenta večeras i javiću ti se sutra ujutru.",
    "Sastanak je pomeren za četvrtak u 11 časova. Molim te da poneseš izveštaj o troškovima.",
    "Đorđe je poslao ponudu juče; čini mi se da je cena previsoka, ali možemo da pregovaramo.",
  ],
  charsets: [
    ["UTF-8", 60],
    ["ISO-8859-2", 40],
  ],
};

const PL: LocaleText = {
  greeting: (first) => `Cześć ${first},`,
  signoff: ["Pozdrawiam,", "Dzięki,", "Do zobaczenia,"],
  wrote: (date, name) => `W dniu ${date} ${name} napisał:`,
  subjects: ["Spotkanie w środę", "Zażółć gęślą jaźń – test kodowania", "Faktura za październik"],
  paragraphs: [
    "Dzięki za szybką odpowiedź. Przejrzę dokumenty wieczorem i odezwę się jutro rano.",
    "Spotkanie przenieśliśmy na środę, ponieważ połowa zespołu jest w podróży służbowej.",
    "Zażółć gęślą jaźń: to zdanie zawiera wszystkie polskie znaki diakrytyczne, więc dobrze nadaje się do testów.",
  ],
  charsets: [
    ["UTF-8", 60],
    ["ISO-8859-2", 40],
  ],
};

const CS: LocaleText = {
  greeting: (first) => `Dobrý den, ${first},`,
  signoff: ["S pozdravem,", "Děkuji,"],
  wrote: (date, name) => `Dne ${date} ${name} napsal(a):`,
  subjects: ["Příliš žluťoučký kůň", "Schůzka v pátek", "Nabídka na {project}"],
  paragraphs: [
    "Děkuji za rychlou odpověď. Dokumenty projdu dnes večer a zítra ráno se vám ozvu.",
    "Příliš žluťoučký kůň úpěl ďábelské ódy, a také schůzka se přesouvá na pátek.",
  ],
  charsets: [
    ["UTF-8", 60],
    ["ISO-8859-2", 40],
  ],
};

const EL: LocaleText = {
  greeting: (first) => `Γεια σου ${first},`,
  signoff: ["Φιλικά,", "Ευχαριστώ,"],
  wrote: (date, name) => `Στις ${date}, ο/η ${name} έγραψε:`,
  subjects: ["Συνάντηση την Πέμπτη", "Προσφορά για το έργο"],
  paragraphs: [
    "Ευχαριστώ για τη γρήγορη απάντηση. Θα κοιτάξω τα έγγραφα απόψε και θα σου απαντήσω αύριο.",
    "Η συνάντηση μεταφέρθηκε για την Πέμπτη στις έντεκα. Μην ξεχάσεις την αναφορά εξόδων.",
  ],
  charsets: [["UTF-8", 100]],
};

const AR: LocaleText = {
  greeting: (first) => `مرحباً ${first}،`,
  signoff: ["مع التحية،", "شكراً،"],
  wrote: (date, name) => `في ${date}، كتب ${name}:`,
  subjects: ["اجتماع يوم الخميس", "عرض السعر المحدث"],
  paragraphs: [
    "شكراً على ردك السريع. سأراجع المستندات هذا المساء وأعود إليك صباح الغد.",
    "تم تأجيل الاجتماع إلى يوم الخميس الساعة الحادية عشرة. يرجى إحضار تقرير المصروفات.",
  ],
  charsets: [["UTF-8", 100]],
};

export const LOCALES: Record<Locale, LocaleText> = {
  en: EN,
  de: DE,
  fr: FR,
  es: ES,
  pt: PT,
  it: IT,
  sv: SV,
  ja: JA,
  zh: ZH,
  ru: RU,
  sr: SR,
  pl: PL,
  cs: CS,
  el: EL,
  ar: AR,
};

/** Signature blocks ("-- " separated) for some people; {name} {org} {email} placeholders. */
export const SIGNATURES = [
  "{name}\r\n{org} | Engineering\r\n{email}",
  "{name}\r\nSent from my phone — please excuse typos",
  "{name}\r\n{org}\r\n+1 555 0100 ext. 42",
  "{name} · {org}\r\nThis e-mail may contain confidential information. If you are not the intended recipient, please delete it.",
] as const;

export const NEWSLETTER_HEADLINES = [
  "Why your inbox is slower than it should be",
  "Ten years of IMAP IDLE in production",
  "The quiet comeback of plain text email",
  "What we learned from 1 billion push notifications",
  "A field guide to character encodings",
  "Designing for offline first",
  "The hidden cost of remote images in email",
  "Inside a modern mail server",
  "Rust, Go or TypeScript for your next CLI?",
  "How small teams ship big features",
  "Accessibility checklist for HTML email",
  "Threading conversations: harder than it looks",
] as const;

export const NOTIFICATION_TITLES = [
  "Fix reconnect loop after IMAP IDLE timeout",
  "Add keyboard shortcuts for archive and delete",
  "Crash when a message has an empty Content-Type",
  "Support RFC 2231 filenames in attachments",
  "Bump imapflow to the latest release",
  "Virtual list jumps when new mail arrives",
  "Render inline cid: images in HTML mail",
  "Slow search on large mailboxes",
  "Dark mode: quoted text unreadable",
  "Drafts not saved when the tab is closed",
] as const;

export const CODEHUB_USERS = [
  "octo-alice",
  "bmartinez",
  "cnguyen",
  "dev-frank",
  "priya-r",
  "zoe-a",
] as const;

export const TICKET_TOPICS = [
  "VPN connection drops every hour",
  "Request: second monitor",
  "Password reset for the build server",
  "Printer on floor 3 is offline",
  "Access to the finance share",
  "Laptop battery swelling",
] as const;

export const TRAVEL_DEALS = [
  "✈️ Flash sale: {city} from €39",
  "Last-minute weekend in {city} 🌴",
  "Your dream trip to {city} is waiting",
  "48 hours only: 30% off hotels in {city}",
] as const;

export const PRODUCTS = [
  ["USB-C cable (2 m)", 12.99],
  ["Mechanical keyboard", 89.0],
  ["Noise-cancelling headphones", 199.0],
  ["Notebook, dotted, A5", 7.5],
  ["Coffee beans, 1 kg", 24.9],
  ["Standing desk mat", 45.0],
  ["Monitor arm", 79.99],
  ["Paperback: The Mail Archive", 15.0],
] as const;

export const SPAM_SUBJECTS = [
  "🎉 Congratulations! You have WON a $1,000 gift card!!!",
  "URGENT: Your account has been suspended",
  "Re: your invoice is overdue",
  "Ｌｉｍｉｔｅｄ ｏｆｆｅｒ — act now",
  "Business proposal – strictly confidential",
  "You have (1) undelivered package 📦",
  "Получите кредит за 5 минут",
  "【重要】アカウント確認のお願い",
  "恭喜您获得大奖",
  "Lose 10 kg in 10 days — doctors hate this",
  "Re: Re: Re: the documents you requested",
  "Your crypto wallet needs verification",
] as const;

export const SPAM_NAMES = [
  "Customer Service",
  "Prize Department",
  "Mrs. Margaret Williams",
  "Securty Team",
  "Parcel Tracking",
  "Dr. Andrew Collins",
  "Служба поддержки",
  "カスタマーサポート",
] as const;

export const SPAM_DOMAINS = [
  "prizes-now.example.invalid",
  "secure-login.example.invalid",
  "parcel-track.example.invalid",
  "mail.bulk-sender.example.invalid",
] as const;

export const SPAM_PARAGRAPHS = [
  "Dear Customer, we have detected unusual activity on your account. To avoid permanent suspension, please verify your details within 24 hours by clicking the link below.",
  "You have been selected as one of our lucky winners! Claim your reward today — this offer expires at midnight.",
  "I am contacting you regarding a business opportunity of mutual benefit. Kindly reply with your full name and telephone number for further details.",
  "Your package could not be delivered because the address was incomplete. Please confirm your address and pay the small redelivery fee.",
] as const;

export const DRAFT_FRAGMENTS = [
  "Hi, just wanted to follow up on",
  "Thanks for the update. One question about",
  "I've been thinking about what you said on",
  "Quick note before I forget:",
  "Dear all,\r\n\r\nAs discussed,",
] as const;
