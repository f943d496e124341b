//! The Discord bot without Discord: the replies it would send, serialised as Discord receives them,
//! for every outcome in every language (snapshots in `tests/snapshots/`), Discord's limits on the
//! longest offers, the localised commands, the adviser notice and the log it writes. Every test
//! name starts with `discord_`, so `cargo test discord` runs them with the unit tests of
//! `src/discord/`.

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use poise::serenity_prelude::{ChannelId, GuildId, RoleId};
use serde_json::Value;
use wegwijzer::assistant::{Answer, Assistant, MemoryConversations, OfferCard};
use wegwijzer::catalog::Catalog;
use wegwijzer::desk::Ask;
use wegwijzer::discord::handoff::{self, Notice, Place};
use wegwijzer::discord::reply::{NextStep, Reply, answer_reply, help_reply, limits, offer_reply};
use wegwijzer::discord::{commands, words};
use wegwijzer::domain::{Channel, ConversationId, Language, Outcome, Question};
use wegwijzer::privacy::Redactor;

fn catalog() -> &'static Catalog {
    static C: OnceLock<Catalog> = OnceLock::new();
    C.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        Catalog::load(&dir).expect("knowledge loads").0
    })
}

/// Really asks the assistant, on the real knowledge base.
fn ask(question: &str) -> Answer {
    let assistant = Assistant::new(MemoryConversations::new(Duration::from_secs(60), 10));
    assistant.ask(catalog(), &Question::parse(question).unwrap(), None)
}

/// The questions behind the snapshots: one per outcome and language.
const CASES: &[(Outcome, Language, &str)] = &[
    (
        Outcome::Answered,
        Language::Nl,
        "Wij zijn een metaalbewerker in Nieuw-Buinen (35 man) en willen een lasrobotlijn van € 800.000 neerzetten. De bank financiert de helft. Wie in Drenthe kan het gat dichten, bijvoorbeeld met een achtergestelde lening?",
    ),
    (
        Outcome::Answered,
        Language::En,
        "Our medtech firm in Assen has proof of principle for a new diagnostic device. Getting it to market will cost around €1.2 million and it's risky, so the banks won't touch it. Is there a government loan for this kind of development?",
    ),
    (
        Outcome::Answered,
        Language::De,
        "Wir sind ein Kunststoffrecycler aus Nordhorn und suchen Partner und Testanlagen für Polymere rund um den Chemiepark in Emmen.",
    ),
    (Outcome::Clarify, Language::Nl, "financiering"),
    (Outcome::Clarify, Language::En, "funding"),
    (Outcome::Clarify, Language::De, "Finanzierung"),
    (
        Outcome::Handoff,
        Language::Nl,
        "Wil iemand mij terugbellen over de overname van een bedrijf in Zuidlaren? Mijn nummer is 06-12345678.",
    ),
    (
        Outcome::Handoff,
        Language::En,
        "I'd rather speak to a real person. Can I book a meeting with an advisor?",
    ),
    (
        Outcome::Handoff,
        Language::De,
        "Ich hätte gern einen persönlichen Termin mit einem Berater.",
    ),
    (
        Outcome::Gap,
        Language::Nl,
        "We breiden onze fabriek in Assen uit en dat levert 12 nieuwe banen op. Is de Bedrijvenregeling Drenthe nog open?",
    ),
    (
        Outcome::Gap,
        Language::En,
        "Is there a grant to make my restaurant in Assen accessible for wheelchair users, like a ramp and an adapted toilet?",
    ),
    (
        Outcome::Gap,
        Language::De,
        "Gibt es den Digitalisierungsgutschein der Provinz Drenthe noch? Wir wollen mit einem externen Dienstleister unsere IT-Sicherheit verbessern.",
    ),
    (Outcome::OutOfScope, Language::Nl, "wat is het weer morgen"),
    (
        Outcome::OutOfScope,
        Language::En,
        "what is the weather tomorrow",
    ),
    (
        Outcome::OutOfScope,
        Language::De,
        "wie wird das Wetter morgen",
    ),
];

/// The reply as JSON, with the random conversation id replaced so snapshots are stable.
fn json(reply: &Reply, conversation: &str) -> Value {
    let text = serde_json::to_string(reply).unwrap();
    serde_json::from_str(&text.replace(conversation, "[conversation]")).unwrap()
}

fn str_len(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}

/// Checks every Discord limit on a serialised reply.
fn assert_within_limits(v: &Value, what: &str) {
    let embeds = v["embeds"].as_array().unwrap();
    assert!(embeds.len() <= 10, "{what}: embeds");
    assert!(str_len(&v["content"]) <= limits::CONTENT, "{what}: content");
    for e in embeds {
        let mut total = str_len(&e["title"]) + str_len(&e["description"]);
        assert!(str_len(&e["title"]) <= limits::TITLE, "{what}: title");
        assert!(
            str_len(&e["description"]) <= limits::DESCRIPTION,
            "{what}: description"
        );
        let fields = e["fields"].as_array().cloned().unwrap_or_default();
        assert!(
            fields.len() <= limits::FIELDS,
            "{what}: {} fields",
            fields.len()
        );
        for f in &fields {
            assert!(
                str_len(&f["name"]) <= limits::FIELD_NAME,
                "{what}: field name"
            );
            assert!(
                str_len(&f["value"]) <= limits::FIELD_VALUE,
                "{what}: field value {}",
                str_len(&f["value"])
            );
            assert!(
                str_len(&f["name"]) > 0 && str_len(&f["value"]) > 0,
                "{what}: empty field"
            );
            total += str_len(&f["name"]) + str_len(&f["value"]);
        }
        total += str_len(&e["footer"]["text"]);
        assert!(total <= limits::TOTAL, "{what}: total {total}");
    }
    let rows = v["components"].as_array().unwrap();
    assert!(rows.len() <= limits::ROWS, "{what}: rows");
    for row in rows {
        let buttons = row["components"].as_array().unwrap();
        assert!(
            !buttons.is_empty() && buttons.len() <= limits::BUTTONS_PER_ROW,
            "{what}: buttons"
        );
        for b in buttons {
            assert!(str_len(&b["label"]) <= limits::LABEL, "{what}: label");
            let id = b["custom_id"].as_str().unwrap();
            assert!(id.len() <= 100, "{what}: custom id {id}");
        }
    }
    assert_no_mass_mentions(&v["allowed_mentions"], what);
}

fn assert_no_mass_mentions(m: &Value, what: &str) {
    let parse = m["parse"]
        .as_array()
        .expect("allowed_mentions.parse is always set");
    assert!(parse.is_empty(), "{what}: parse {parse:?}");
    assert!(m["users"].as_array().unwrap().is_empty(), "{what}: users");
}

#[test]
fn discord_replies_match_snapshots_for_every_outcome_and_language() {
    for (outcome, lang, question) in CASES {
        let answer = ask(question);
        assert_eq!(
            (answer.outcome, answer.language),
            (*outcome, *lang),
            "{question}"
        );
        let next = (answer.outcome == Outcome::Handoff).then_some(NextStep::AdviserNotified);
        let reply = answer_reply(&answer, next);
        let v = json(&reply, &answer.conversation_id);
        assert_within_limits(&v, question);
        insta::assert_json_snapshot!(format!("{}_{}", outcome.as_str(), lang.code()), v);
    }
}

#[test]
fn discord_replies_carry_the_offers_badges_and_buttons_of_the_answer() {
    let answer = ask(CASES[9].2); // the closed Bedrijvenregeling
    let v = json(&answer_reply(&answer, None), &answer.conversation_id);
    let fields = v["embeds"][0]["fields"].as_array().unwrap();
    assert_eq!(fields.len(), answer.offers.len());
    assert!(
        fields
            .iter()
            .any(|f| f["name"].as_str().unwrap().contains("🔒 gesloten sinds"))
    );
    let ids: Vec<&str> = v["components"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["components"].as_array().unwrap())
        .map(|b| b["custom_id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"wz1:fb:[conversation]:y"));
    assert!(ids.contains(&"wz1:fb:[conversation]:n"));
    assert!(ids.contains(&"wz1:human:[conversation]"));

    let clarify = ask("financiering");
    let v = json(&answer_reply(&clarify, None), &clarify.conversation_id);
    let first_row = v["components"][0]["components"].as_array().unwrap();
    let options = &clarify.clarify.as_ref().unwrap().options;
    assert_eq!(first_row.len(), options.len().min(5));
    assert_eq!(first_row[0]["label"], options[0].as_str());
    assert_eq!(first_row[0]["custom_id"], "wz1:opt:[conversation]:0");
}

#[test]
fn discord_option_labels_are_read_back_from_the_sent_message() {
    let clarify = ask("funding");
    let reply = answer_reply(&clarify, None);
    // Discord sends the message's components back with a click; read them as serenity does.
    let rows: Vec<poise::serenity_prelude::ActionRow> =
        serde_json::from_value(serde_json::to_value(&reply.components).unwrap()).unwrap();
    let id = format!("wz1:opt:{}:1", clarify.conversation_id);
    assert_eq!(
        wegwijzer::discord::reply::option_label(&rows, &id).as_deref(),
        Some(clarify.clarify.as_ref().unwrap().options[1].as_str())
    );
    assert_eq!(
        wegwijzer::discord::reply::option_label(&rows, "wz1:opt:x:9"),
        None
    );
}

fn card(o: &wegwijzer::knowledge::Offer, lang: Language) -> OfferCard {
    OfferCard {
        id: o.id.as_str().to_owned(),
        name: o.name_in(lang).to_owned(),
        provider: o.provider.clone(),
        status: o.status,
        why: o.summary.get(lang).to_owned() + " " + &o.body_text(),
        how_to_apply: o.how_to_apply.get(lang).to_owned(),
        url: o.url.clone(),
        contact: o.contact.clone(),
        score: 1.0,
        closed_on: o.closed_on.map(wegwijzer::knowledge::format_date),
        rounds: o.rounds,
        figures: wegwijzer::assistant::figure_cards(o, lang),
    }
}

#[test]
fn discord_embed_limits_hold_for_the_longest_offers() {
    let kb = &catalog().kb;
    for lang in Language::ALL {
        let mut cards: Vec<OfferCard> = kb.offers.iter().map(|o| card(o, lang)).collect();
        // Longest first: the why (summary and whole body), how to apply and name together.
        cards.sort_by_key(|c| std::cmp::Reverse(c.why.len() + c.how_to_apply.len() + c.name.len()));
        let mut answer = ask("Ik zoek een achtergestelde lening voor een nieuwe machine in Emmen");
        for n in [1, 4, cards.len()] {
            answer.offers = cards[..n].to_vec();
            answer.answer = "Lang antwoord. ".repeat(400);
            let v = json(&answer_reply(&answer, None), &answer.conversation_id);
            assert_within_limits(&v, &format!("{lang} with {n} longest offers"));
        }
        for o in &kb.offers {
            let v = serde_json::to_value(offer_reply(o, lang)).unwrap();
            assert_within_limits(&v, &format!("/aanbod {} {lang}", o.id.as_str()));
        }
        let v = serde_json::to_value(help_reply(lang)).unwrap();
        assert_within_limits(&v, &format!("/wegwijzer {lang}"));
    }
}

#[test]
fn discord_every_command_and_option_is_localised_in_nl_en_de() {
    let expected = [
        ("ask", "vraag", "frage"),
        ("offers", "aanbod", "angebot"),
        ("wegwijzer", "wegwijzer", "wegwijzer"),
    ];
    let cmds = commands::all();
    assert_eq!(cmds.len(), expected.len());
    for (cmd, (en, nl, de)) in cmds.iter().zip(expected) {
        let v = serde_json::to_value(cmd.create_as_slash_command().unwrap()).unwrap();
        assert_eq!(v["name"], en);
        assert_eq!(v["name_localizations"]["nl"], nl);
        assert_eq!(v["name_localizations"]["de"], de);
        let mut things = vec![v.clone()];
        things.extend(v["options"].as_array().cloned().unwrap_or_default());
        for t in things {
            let name = t["name"].as_str().unwrap();
            for locale in ["nl", "en-US", "en-GB", "de"] {
                let n = t["name_localizations"][locale]
                    .as_str()
                    .unwrap_or_else(|| panic!("{name}: no {locale} name"));
                let d = t["description_localizations"][locale]
                    .as_str()
                    .unwrap_or_else(|| panic!("{name}: no {locale} description"));
                assert!(
                    !n.is_empty() && n.chars().count() <= 32 && n == n.to_lowercase(),
                    "{name}/{locale}: name {n:?}"
                );
                assert!(!n.contains(' '), "{name}/{locale}: name {n:?}");
                assert!(
                    !d.is_empty() && d.chars().count() <= 100,
                    "{name}/{locale}: description {d:?}"
                );
            }
            let d = t["description"].as_str().unwrap();
            assert!(!d.is_empty() && d.chars().count() <= 100, "{name}: {d:?}");
        }
    }
}

#[test]
fn discord_offer_autocomplete_finds_names_in_every_language() {
    let offers = &catalog().kb.offers;
    let hits = commands::offer_choices(offers, "qred", Language::Nl);
    assert_eq!(hits.first().map(|h| h.1.as_str()), Some("qredits"));
    let all = commands::offer_choices(offers, "", Language::En);
    assert_eq!(all.len(), 25);
    assert!(all.iter().all(|(n, _)| n.chars().count() <= 100));
    let de = commands::offer_choices(offers, "mikrokredit", Language::De);
    assert!(de.iter().any(|(_, id)| id == "qredits"));
    assert_eq!(
        commands::find_offer(offers, "qredits").map(|o| o.id.as_str()),
        Some("qredits")
    );
    assert!(commands::find_offer(offers, "Qredits (microcredit and SME credit)").is_some());
    assert!(commands::find_offer(offers, "geen bestaand aanbod").is_none());
}

#[test]
fn discord_handoff_notice_holds_the_redacted_question_and_nobody_s_identity() {
    let question = CASES[6].2; // asks to be called back, with a phone number
    let answer = ask(question);
    assert_eq!(answer.outcome, Outcome::Handoff);
    let redactor = Redactor::new();
    let redacted = redactor.redact_or_none(question).map(|r| r.text);
    let role = RoleId::new(555);
    let notice = handoff::adviser_notice(&Notice {
        redacted_question: redacted.as_deref(),
        answer: &answer,
        place: Place::Thread {
            guild: GuildId::new(111),
            thread: ChannelId::new(222),
        },
        role: Some(role),
    });
    let v = serde_json::to_value(&notice).unwrap();
    let text = v.to_string();
    assert!(text.contains("[telefoon]"), "{text}");
    assert!(!text.contains("12345678"), "{text}");
    assert!(text.contains("https://discord.com/channels/111/222"));
    assert!(text.contains("<@&555>"));
    // No user mention: only the role's.
    assert!(!text.replace("<@&", "").contains("<@"), "{text}");
    let m = &v["allowed_mentions"];
    assert_no_mass_mentions(m, "notice");
    assert_eq!(m["roles"], serde_json::json!(["555"]));

    // Where redaction cannot vouch for the text, none is passed on.
    let none = handoff::adviser_notice(&Notice {
        redacted_question: None,
        answer: &answer,
        place: Place::Unreachable,
        role: None,
    });
    let v = serde_json::to_value(&none).unwrap();
    assert!(!v.to_string().contains("Zuidlaren?"));
    assert!(
        v["allowed_mentions"]["roles"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        v["allowed_mentions"]["parse"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn discord_quoted_questions_never_ping() {
    let reply = Reply::text("x").quoting("@everyone @here <@123> <@&456> help");
    let v = serde_json::to_value(&reply).unwrap();
    assert_no_mass_mentions(&v["allowed_mentions"], "quoted");
    assert!(
        v["allowed_mentions"]["roles"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(v["content"].as_str().unwrap().starts_with("> @everyone"));
}

#[test]
fn discord_refusals_are_polite_in_every_language() {
    for lang in Language::ALL {
        let text = words::too_long(lang, 2000);
        assert!(text.contains("2000"), "{text}");
        assert!(text.starts_with(lang.pick("Sorry", "Sorry", "Entschuldigung")));
        assert!(words::slow_down(lang, Duration::from_millis(300)).contains(" 1 "));
    }
    assert_eq!(words::language_of_locale("en-GB", None), Language::En);
    assert_eq!(words::language_of_locale("de", None), Language::De);
    assert_eq!(words::language_of_locale("fr", Some("de")), Language::De);
    assert_eq!(words::language_of_locale("fr", None), Language::Nl);
}

/// The bot's questions and feedback land in the same log as the web's, as channel `discord`, with
/// the month's pseudonym of the Discord user, never the id itself.
#[tokio::test]
async fn discord_gaps_and_feedback_are_logged_with_channel_and_pseudonym() {
    for backend in common::backends() {
        let db = common::TestDb::new(backend).await;
        let config = wegwijzer::config::Config {
            addr: "127.0.0.1:0".parse().unwrap(),
            database_url: db.url.clone(),
            knowledge_dir: common::knowledge_dir(),
            conversation_ttl_minutes: 30,
            retention_days: 180,
            admin_token: None,
            rate_limit_per_minute: 0,
            trusted_proxies: 0,
            connections: Default::default(),
            spool_dir: std::env::temp_dir().join(format!("wz-spool-{}", uuid::Uuid::new_v4())),
            discord: Default::default(),
            embed: wegwijzer::config::EmbedConfig::off(),
        };
        let app = wegwijzer::startup::build_state(&config).await.unwrap();
        let user = "802711223344556677";
        let answer = app
            .ask(Ask {
                question: Question::parse(CASES[6].2).unwrap(),
                conversation: None,
                channel: Channel::Discord,
                log: true,
                identity: user.to_owned(),
            })
            .await
            .unwrap();
        let id = answer
            .gap
            .as_ref()
            .and_then(|g| g.id)
            .expect("handoff logged");
        let gap = app.store.gap(id).await.unwrap().unwrap();
        assert_eq!(gap.channel, "discord");
        assert_eq!(gap.reason, "handoff");
        let q = gap.question.unwrap();
        assert!(q.contains("[telefoon]") && !q.contains("12345678"), "{q}");
        let pseudonym = app.pseudonym_of(user);
        assert_ne!(pseudonym, user);
        assert!(!pseudonym.contains(user));

        let conv = ConversationId::parse(&answer.conversation_id).unwrap();
        let recorded = app
            .feedback(
                &conv,
                false,
                Some("Ik wil bellen: 0612345678"),
                Channel::Discord,
                user,
            )
            .await
            .unwrap();
        let wegwijzer::desk::FeedbackRecorded::Gap(fid) = recorded else {
            panic!("not-helpful feedback is a gap");
        };
        // The button pressed again on the same answer: the same report, its reason replaced.
        let again = app
            .feedback(
                &conv,
                false,
                Some("Toch liever mailen"),
                Channel::Discord,
                user,
            )
            .await
            .unwrap();
        assert_eq!(again, wegwijzer::desk::FeedbackRecorded::GapUpdated(fid));
        assert_eq!(
            app.store
                .gap(fid)
                .await
                .unwrap()
                .unwrap()
                .question
                .as_deref(),
            Some("Toch liever mailen")
        );
        let fb = app.store.gap(fid).await.unwrap().unwrap();
        assert_eq!(
            (fb.channel.as_str(), fb.reason.as_str()),
            ("discord", "not_helpful")
        );
        assert!(!fb.question.unwrap_or_default().contains("0612345678"));
        let today = time::OffsetDateTime::now_utc().date().to_string();
        let texts = app.store.gap_texts(&today, &today, 10).await.unwrap();
        let stored = texts
            .iter()
            .find(|t| t.id == fid)
            .expect("feedback text stored");
        assert_eq!(stored.person.as_deref(), Some(pseudonym.as_str()));
        app.store.close().await;
    }
}
