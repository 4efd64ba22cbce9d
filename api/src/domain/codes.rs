//! Closed vocabularies of the catalogue. Each value has a stable code (stored
//! and exposed) and the aliases partners' feeds use for it; the fi/sv/en labels
//! live in the code-set data files (`api/codes/`).

use serde::{Deserialize, Serialize};

/// Lowercases and folds separators so `Walk-in`, `walk in` and `walk_in` compare equal.
fn normalise(value: &str) -> String {
    value
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == '-' || c == ' ' { '_' } else { c })
        .collect()
}

macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident : $set:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal [$($alias:literal),* $(,)?] ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant ),+
        }

        impl $name {
            /// The name of this code set in the code-set files.
            pub const SET: &'static str = $set;
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code stored in the database and shown to clients.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Parses a code or one of the aliases feeds use, ignoring case and separators.
            pub fn parse(value: &str) -> Option<$name> {
                let wanted = normalise(value);
                $(
                    if normalise($code) == wanted $(|| normalise($alias) == wanted)* {
                        return Some($name::$variant);
                    }
                )+
                None
            }

            /// The accepted codes, for error messages.
            pub fn expected() -> String {
                [$($code),+].join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

code_enum! {
    /// What kind of provider an organisation is.
    pub enum OrganisationKind : "organisation_kind" {
        VocationalCollege = "vocational_college" ["ammattiopisto", "ammatillinen oppilaitos", "aikuisopisto"],
        UniversityOfAppliedSciences = "university_of_applied_sciences" ["ammattikorkeakoulu", "amk", "uas"],
        UniversityCentre = "university_centre" ["yliopistokeskus", "yliopisto", "university"],
        AdultEducationCentre = "adult_education_centre" ["kansalaisopisto", "työväenopisto", "aikuisopisto_vst"],
        FolkHighSchool = "folk_high_school" ["kansanopisto"],
        SummerUniversity = "summer_university" ["kesäyliopisto"],
        YouthWorkshop = "youth_workshop" ["työpaja", "nuorten työpaja", "ohjaamo"],
        TrainingCompany = "training_company" ["koulutusyritys", "yritys", "company"],
        EmploymentServices = "employment_services" ["te-palvelut", "työvoimapalvelut", "te-toimisto"],
        Other = "other" ["muu"],
    }
}

code_enum! {
    /// The kind and level of education a course leads to.
    pub enum EducationType : "education_type" {
        VocationalQualification = "vocational_qualification" ["perustutkinto", "ammatillinen perustutkinto"],
        FurtherVocationalQualification = "further_vocational_qualification" ["ammattitutkinto"],
        SpecialistVocationalQualification = "specialist_vocational_qualification" ["erikoisammattitutkinto"],
        PartOfQualification = "part_of_qualification" ["tutkinnon osa", "tutkinnon osat"],
        UasDegree = "uas_degree" ["amk-tutkinto", "ammattikorkeakoulututkinto"],
        OpenUasStudies = "open_uas_studies" ["avoin amk", "avoin ammattikorkeakoulu"],
        OpenUniversityStudies = "open_university_studies" ["avoin yliopisto"],
        ContinuingEducation = "continuing_education" ["täydennyskoulutus", "lisäkoulutus"],
        LiberalAdultEducation = "liberal_adult_education" ["vapaa sivistystyö", "vapaan sivistystyön koulutus"],
        PreparatoryEducation = "preparatory_education" ["valmentava koulutus", "tutkintokoulutukseen valmentava koulutus"],
        LanguageTraining = "language_training" ["kielikoulutus", "kotoutumiskoulutus"],
        Other = "other" ["muu"],
    }
}

code_enum! {
    /// How an instance is taught.
    pub enum TeachingMode : "teaching_mode" {
        Onsite = "onsite" ["lähiopetus", "contact"],
        Online = "online" ["verkko-opetus", "etäopetus", "distance"],
        Blended = "blended" ["monimuoto", "monimuoto-opetus", "hybrid"],
        Workplace = "workplace" ["työpaikalla", "työelämässä", "on-the-job"],
    }
}

code_enum! {
    /// Who pays for an instance.
    pub enum FundingCategory : "funding_category" {
        SelfPaid = "self_paid" ["omaehtoinen", "maksullinen"],
        LabourMarketTraining = "labour_market_training" ["työvoimakoulutus"],
        Apprenticeship = "apprenticeship" ["oppisopimus", "oppisopimuskoulutus"],
        Free = "free" ["maksuton"],
        ForEmployers = "for_employers" ["yritykselle", "henkilöstökoulutus"],
    }
}

code_enum! {
    /// When in the week an instance is taught, derived from its schedule.
    pub enum TimeOfDay : "time_of_day" {
        Daytime = "daytime" ["päiväopetus", "päivä"],
        Evening = "evening" ["iltaopetus", "ilta"],
        Weekend = "weekend" ["viikonloppuopetus", "viikonloppu"],
        SelfPaced = "self_paced" ["itsenäinen opiskelu", "omaan tahtiin", "any time"],
    }
}

code_enum! {
    /// Where a course or guidance service is in its life cycle.
    pub enum PublicationState : "publication_state" {
        Draft = "draft" ["tallennettu", "luonnos"],
        Published = "published" ["julkaistu"],
        Archived = "archived" ["arkistoitu"],
    }
}

code_enum! {
    /// Who a course or guidance service is meant for.
    pub enum Audience : "audience" {
        Everyone = "everyone" ["kaikille avoin", "kaikki"],
        Adults = "adults" ["aikuiset"],
        Unemployed = "unemployed" ["työttömät", "työnhakijat"],
        AtRiskOfUnemployment = "at_risk_of_unemployment" ["työttömyysuhan alaiset", "työttömyysuhanalaiset"],
        Employed = "employed" ["työssä käyvät", "työlliset"],
        Immigrants = "immigrants" ["maahanmuuttajat", "maahan muuttaneet"],
        YoungAdults = "young_adults" ["nuoret aikuiset", "nuoret"],
        Seniors = "seniors" ["eläkeläiset", "ikääntyneet"],
        Entrepreneurs = "entrepreneurs" ["yrittäjät"],
        Employers = "employers" ["työnantajat", "yritykset"],
    }
}

code_enum! {
    /// How a guidance service can be reached.
    pub enum ChannelKind : "channel_kind" {
        Chat = "chat" [],
        Phone = "phone" ["puhelin", "telephone"],
        Email = "email" ["sähköposti", "e-mail"],
        Video = "video" ["videoneuvonta", "videopuhelu", "video call"],
        WalkIn = "walk_in" ["käyntiasiointi", "paikan päällä"],
        Sms = "sms" ["tekstiviesti", "text message"],
    }
}

code_enum! {
    /// The unit of a course's extent.
    pub enum CreditUnit : "credit_unit" {
        Osp = "osp" ["osaamispiste", "osaamispistettä", "competence points"],
        Op = "op" ["opintopiste", "opintopistettä", "ects", "ects credits"],
        Hours = "hours" ["h", "tuntia", "oppituntia", "hour"],
        Weeks = "weeks" ["viikkoa", "vk"],
        Courses = "courses" ["kurssia"],
    }
}

code_enum! {
    /// A day of the week, as in schema.org `DayOfWeek`.
    pub enum Weekday : "weekday" {
        Monday = "monday" ["https://schema.org/Monday", "http://schema.org/Monday", "ma", "maanantai"],
        Tuesday = "tuesday" ["https://schema.org/Tuesday", "http://schema.org/Tuesday", "ti", "tiistai"],
        Wednesday = "wednesday" ["https://schema.org/Wednesday", "http://schema.org/Wednesday", "ke", "keskiviikko"],
        Thursday = "thursday" ["https://schema.org/Thursday", "http://schema.org/Thursday", "to", "torstai"],
        Friday = "friday" ["https://schema.org/Friday", "http://schema.org/Friday", "pe", "perjantai"],
        Saturday = "saturday" ["https://schema.org/Saturday", "http://schema.org/Saturday", "la", "lauantai"],
        Sunday = "sunday" ["https://schema.org/Sunday", "http://schema.org/Sunday", "su", "sunnuntai"],
    }
}

impl Weekday {
    /// Saturday and Sunday.
    pub fn is_weekend(self) -> bool {
        matches!(self, Weekday::Saturday | Weekday::Sunday)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_and_feed_aliases_ignoring_case_and_separators() {
        assert_eq!(TeachingMode::parse("ONSITE"), Some(TeachingMode::Onsite));
        assert_eq!(
            EducationType::parse("tutkinnon osa"),
            Some(EducationType::PartOfQualification)
        );
        assert_eq!(
            EducationType::parse("part-of-qualification"),
            Some(EducationType::PartOfQualification)
        );
        assert_eq!(ChannelKind::parse("walk-in"), Some(ChannelKind::WalkIn));
        assert_eq!(
            Weekday::parse("https://schema.org/Saturday"),
            Some(Weekday::Saturday)
        );
        assert_eq!(FundingCategory::parse("ilmainen"), None);
    }

    #[test]
    fn codes_are_unique_within_each_set() {
        fn check(codes: Vec<&str>) {
            let mut sorted = codes.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), codes.len(), "{codes:?}");
        }
        check(OrganisationKind::ALL.iter().map(|v| v.code()).collect());
        check(EducationType::ALL.iter().map(|v| v.code()).collect());
        check(Audience::ALL.iter().map(|v| v.code()).collect());
    }
}
