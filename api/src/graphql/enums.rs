//! GraphQL faces of the domain's closed vocabularies.

use async_graphql::Enum;

use crate::domain;

/// A content language; texts fall back fi → sv → en.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq, Default)]
#[graphql(remote = "domain::Lang")]
pub enum Lang {
    #[default]
    Fi,
    Sv,
    En,
}

/// The kind of a provider.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "domain::OrganisationKind")]
pub enum OrganisationKind {
    VocationalCollege,
    UniversityOfAppliedSciences,
    UniversityCentre,
    AdultEducationCentre,
    FolkHighSchool,
    SummerUniversity,
    YouthWorkshop,
    TrainingCompany,
    EmploymentServices,
    Other,
}

/// The kind and level of education a course leads to.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "domain::EducationType")]
pub enum EducationType {
    /// Ammatillinen perustutkinto.
    VocationalQualification,
    /// Ammattitutkinto.
    FurtherVocationalQualification,
    /// Erikoisammattitutkinto.
    SpecialistVocationalQualification,
    /// Tutkinnon osa.
    PartOfQualification,
    /// AMK-tutkinto.
    UasDegree,
    /// Avoin AMK.
    OpenUasStudies,
    /// Avoin yliopisto.
    OpenUniversityStudies,
    /// Täydennyskoulutus.
    ContinuingEducation,
    /// Vapaa sivistystyö.
    LiberalAdultEducation,
    /// Valmentava koulutus.
    PreparatoryEducation,
    /// Kielikoulutus.
    LanguageTraining,
    Other,
}

/// How an instance is taught.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "domain::TeachingMode")]
pub enum TeachingMode {
    Onsite,
    Online,
    Blended,
    Workplace,
}

/// Who pays for an instance.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "domain::FundingCategory")]
pub enum FundingCategory {
    /// Omaehtoinen: the student pays.
    SelfPaid,
    /// Työvoimakoulutus, bought by employment services.
    LabourMarketTraining,
    /// Oppisopimus.
    Apprenticeship,
    /// Maksuton.
    Free,
    /// Bought by employers for their staff.
    ForEmployers,
}

/// When in the week an instance is taught.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "domain::TimeOfDay")]
pub enum TimeOfDay {
    Daytime,
    Evening,
    Weekend,
    SelfPaced,
}

/// Where a course is in its life cycle.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "domain::PublicationState")]
pub enum PublicationState {
    Draft,
    Published,
    Archived,
}

/// Who a course or service is meant for.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "domain::Audience")]
pub enum Audience {
    Everyone,
    Adults,
    Unemployed,
    AtRiskOfUnemployment,
    Employed,
    Immigrants,
    YoungAdults,
    Seniors,
    Entrepreneurs,
    Employers,
}

/// How a guidance service can be reached.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "domain::ChannelKind")]
pub enum ChannelKind {
    Chat,
    Phone,
    Email,
    Video,
    WalkIn,
    Sms,
}

/// The unit of a course's extent.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "domain::CreditUnit")]
pub enum CreditUnit {
    /// Osaamispiste, vocational competence point.
    Osp,
    /// Opintopiste, ECTS credit.
    Op,
    Hours,
    Weeks,
    Courses,
}

/// A day of the week.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "domain::Weekday")]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

/// Ascending or descending.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq, Default)]
pub enum OrderDirection {
    #[default]
    Asc,
    Desc,
}

/// What a course list is ordered by.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum CourseOrderField {
    /// The earliest start among the instances that match the filter.
    StartDate,
    /// The name, in the fallback order fi → sv → en.
    Name,
    /// The last change.
    UpdatedAt,
}
