//! Domain types that parse: once a value has one of these types it is known to be valid, so nothing
//! downstream handles raw strings for languages, statuses, channels or outcomes.

mod language;
mod offer_id;
mod question;

pub use language::Language;
pub use offer_id::OfferId;
pub use question::{ConversationId, MAX_QUESTION_CHARS, Question, QuestionError, clean_text};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Whether an offer can be applied for now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Open,
    Closed,
    /// The facts do not say whether the offer still runs: the reader must check with IBDO.
    Unknown,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Open, Status::Closed, Status::Unknown];

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Closed => "closed",
            Status::Unknown => "unknown",
        }
    }
}

/// What sort of help an offer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Advice,
    Loan,
    Participation,
    Subsidy,
    Voucher,
    Guarantee,
    Tax,
    Network,
    Hub,
    Programme,
    Training,
    Service,
    Helpline,
    Benefit,
    Information,
    Acquisition,
}

impl Kind {
    pub const ALL: [Kind; 16] = [
        Kind::Advice,
        Kind::Loan,
        Kind::Participation,
        Kind::Subsidy,
        Kind::Voucher,
        Kind::Guarantee,
        Kind::Tax,
        Kind::Network,
        Kind::Hub,
        Kind::Programme,
        Kind::Training,
        Kind::Service,
        Kind::Helpline,
        Kind::Benefit,
        Kind::Information,
        Kind::Acquisition,
    ];

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Advice => "advice",
            Kind::Loan => "loan",
            Kind::Participation => "participation",
            Kind::Subsidy => "subsidy",
            Kind::Voucher => "voucher",
            Kind::Guarantee => "guarantee",
            Kind::Tax => "tax",
            Kind::Network => "network",
            Kind::Hub => "hub",
            Kind::Programme => "programme",
            Kind::Training => "training",
            Kind::Service => "service",
            Kind::Helpline => "helpline",
            Kind::Benefit => "benefit",
            Kind::Information => "information",
            Kind::Acquisition => "acquisition",
        }
    }

    /// Kinds that hand out money, for which an asked amount can be out of range.
    pub fn is_money(self) -> bool {
        matches!(
            self,
            Kind::Loan | Kind::Participation | Kind::Subsidy | Kind::Voucher | Kind::Guarantee
        )
    }
}

/// Where a question came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    #[default]
    Api,
    Web,
    Discord,
    Cli,
    /// Logged by hand by an IBDO adviser after a call or visit.
    Adviser,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Api => "api",
            Channel::Web => "web",
            Channel::Discord => "discord",
            Channel::Cli => "cli",
            Channel::Adviser => "adviser",
        }
    }
}

/// What the assistant concluded about a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Answered,
    Clarify,
    Handoff,
    Gap,
    OutOfScope,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::Clarify => "clarify",
            Outcome::Handoff => "handoff",
            Outcome::Gap => "gap",
            Outcome::OutOfScope => "out_of_scope",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Some(match s {
            "answered" => Outcome::Answered,
            "clarify" => Outcome::Clarify,
            "handoff" => Outcome::Handoff,
            "gap" => Outcome::Gap,
            "out_of_scope" => Outcome::OutOfScope,
            _ => return None,
        })
    }
}

/// Why a question counts as unmet demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GapReason {
    NoOffer,
    OfferClosed,
    AudienceMismatch,
    RegionMismatch,
    NotHelpful,
    Handoff,
}

impl GapReason {
    pub const ALL: [GapReason; 6] = [
        GapReason::NoOffer,
        GapReason::OfferClosed,
        GapReason::AudienceMismatch,
        GapReason::RegionMismatch,
        GapReason::NotHelpful,
        GapReason::Handoff,
    ];

    pub fn parse(s: &str) -> Result<GapReason, String> {
        GapReason::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown reason; use one of: {}",
                    GapReason::ALL.map(GapReason::as_str).join(", ")
                )
            })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            GapReason::NoOffer => "no_offer",
            GapReason::OfferClosed => "offer_closed",
            GapReason::AudienceMismatch => "audience_mismatch",
            GapReason::RegionMismatch => "region_mismatch",
            GapReason::NotHelpful => "not_helpful",
            GapReason::Handoff => "handoff",
        }
    }
}
