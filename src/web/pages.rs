//! `/toegankelijkheid` and `/privacy`: short statements, in the visitor's language.

use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;

use super::{Chrome, Ctx};
use crate::domain::Language;
use crate::http::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/toegankelijkheid", get(accessibility))
        .route("/privacy", get(privacy))
        .route("/over", get(super::about::about))
}

#[derive(Template)]
#[template(path = "statement.html")]
struct Statement {
    page: Chrome,
    heading: String,
    paragraphs: Vec<String>,
}

async fn accessibility(ctx: Ctx) -> Response {
    let mut paragraphs: Vec<String> = accessibility_text(ctx.lang)
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    paragraphs.insert(1, last_check(ctx.lang));
    let page = Statement {
        page: ctx.chrome(ctx.t.a11y_title),
        heading: ctx.t.a11y_title.to_owned(),
        paragraphs,
    };
    ctx.page(&page)
}

async fn privacy(ctx: Ctx) -> Response {
    let mut paragraphs = vec![crate::texts::privacy_notice(ctx.lang).to_owned()];
    paragraphs.extend(privacy_text(ctx.lang).iter().map(|s| (*s).to_owned()));
    let page = Statement {
        page: ctx.chrome(ctx.t.privacy_title),
        heading: ctx.t.privacy_title.to_owned(),
        paragraphs,
    };
    ctx.page(&page)
}

/// The last clean run of the browser tests (`tests/browser/e2e.mjs` writes the file), built in.
const LAST_CHECK: &str = include_str!("../../docs/accessibility-check.json");

#[derive(serde::Deserialize)]
struct Check {
    tested: String,
    wcag: String,
    tool: String,
    browser: String,
    pages: u32,
}

/// When the web was last tested with axe-core in a real browser, and against which level.
fn last_check(lang: Language) -> String {
    match serde_json::from_str::<Check>(LAST_CHECK) {
        Ok(c) => match lang {
            Language::Nl => format!(
                "Laatst getest op {}: {} pagina's met {} in {}, tegen {}, zonder ernstige of kritieke fouten.",
                c.tested, c.pages, c.tool, c.browser, c.wcag
            ),
            Language::En => format!(
                "Last tested on {}: {} pages with {} in {}, against {}, with no serious or critical violations.",
                c.tested, c.pages, c.tool, c.browser, c.wcag
            ),
            Language::De => format!(
                "Zuletzt getestet am {}: {} Seiten mit {} in {}, gegen {}, ohne schwere oder kritische Fehler.",
                c.tested, c.pages, c.tool, c.browser, c.wcag
            ),
        },
        Err(_) => lang
            .pick(
                "Datum van de laatste test onbekend.",
                "Date of the last test unknown.",
                "Datum des letzten Tests unbekannt.",
            )
            .to_owned(),
    }
}

fn accessibility_text(lang: Language) -> &'static [&'static str] {
    lang.pick(
        &[
            "De Provincie Drenthe wil dat iedereen Wegwijzer kan gebruiken. De website is gebouwd volgens WCAG 2.1 op niveau AA, zoals het Besluit digitale toegankelijkheid overheid vraagt.",
            "Alle pagina's werken zonder JavaScript, met alleen een toetsenbord en op een telefoon. Elke pagina begint met een link 'Direct naar de inhoud'; de focus is altijd zichtbaar; kleuren hebben genoeg contrast en een status staat er altijd ook in tekst bij. De kaart van het dashboard staat er ook als tabel.",
            "Bij elke wijziging controleren geautomatiseerde tests in een echte browser (axe-core) alle pagina's. Een volledig onderzoek door een deskundige en de toegankelijkheidsverklaring in het landelijke register volgen.",
            "Loopt u ergens tegenaan? Meld het via Ik Ben Drents Ondernemer (ikbendrentsondernemer.nl); wij lossen het op of helpen u op een andere manier verder.",
        ],
        &[
            "The Province of Drenthe wants everyone to be able to use Wegwijzer. The site is built to WCAG 2.1 level AA, as Dutch law requires of government websites.",
            "Every page works without JavaScript, with a keyboard alone and on a phone. Each page starts with a 'Skip to content' link; focus is always visible; colours have enough contrast and a status is always written out in text too. The dashboard's map is also given as a table.",
            "Automated tests in a real browser (axe-core) check every page on every change. A full expert audit and the accessibility statement in the national register will follow.",
            "Running into a problem? Report it through Ik Ben Drents Ondernemer (ikbendrentsondernemer.nl); we will fix it or help you another way.",
        ],
        &[
            "Die Provinz Drenthe möchte, dass alle Menschen Wegwijzer nutzen können. Die Website folgt WCAG 2.1 Stufe AA, wie es das niederländische Recht für Behördenwebsites verlangt.",
            "Alle Seiten funktionieren ohne JavaScript, nur mit der Tastatur und auf dem Telefon. Jede Seite beginnt mit einem Link 'Direkt zum Inhalt'; der Fokus ist immer sichtbar; Farben haben genug Kontrast, und ein Status steht immer auch als Text da. Die Karte des Dashboards gibt es auch als Tabelle.",
            "Automatische Tests in einem echten Browser (axe-core) prüfen bei jeder Änderung alle Seiten. Eine vollständige Prüfung durch Fachleute und die Erklärung im nationalen Register folgen.",
            "Stoßen Sie auf ein Problem? Melden Sie es über Ik Ben Drents Ondernemer (ikbendrentsondernemer.nl); wir beheben es oder helfen Ihnen anders weiter.",
        ],
    )
}

fn privacy_text(lang: Language) -> &'static [&'static str] {
    lang.pick(
        &[
            "Wegwijzer gebruikt twee cookies die nodig zijn om de website te laten werken: één die formulieren beschermt tegen misbruik door andere websites, en één die uw taalkeuze onthoudt. Adviseurs en medewerkers van de provincie die inloggen krijgen daarnaast een sessiecookie. Er zijn geen volgcookies en er wordt niets van andere websites geladen.",
            "De provincie gebruikt de vragen zonder passend aanbod om te zien waar ondernemers hulp missen, en om het aanbod te verbeteren. Verantwoordelijk is de Provincie Drenthe.",
        ],
        &[
            "Wegwijzer uses two cookies that the site needs to work: one that protects forms against misuse by other websites, and one that remembers your language. Advisers and provincial staff who sign in also get a session cookie. There are no tracking cookies and nothing is loaded from other websites.",
            "The province uses questions without a fitting offer to see where entrepreneurs lack support, and to improve the offers. The Province of Drenthe is the controller.",
        ],
        &[
            "Wegwijzer verwendet zwei Cookies, die für die Website nötig sind: eines schützt Formulare vor Missbrauch durch andere Websites, eines merkt sich Ihre Sprache. Beraterinnen, Berater und Mitarbeitende der Provinz, die sich anmelden, erhalten zusätzlich ein Sitzungscookie. Es gibt keine Tracking-Cookies, und nichts wird von anderen Websites geladen.",
            "Die Provinz nutzt Fragen ohne passendes Angebot, um zu sehen, wo Unternehmern Hilfe fehlt, und um das Angebot zu verbessern. Verantwortlich ist die Provinz Drenthe.",
        ],
    )
}
