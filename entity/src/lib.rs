//! sea-orm entities of the Tarjotin catalogue. Only the store uses them; the
//! API has its own view types.

pub mod api_key;
pub mod change_log;
pub mod course;
pub mod course_instance;
pub mod course_tag;
pub mod denied_write;
pub mod enrolment_period;
pub mod guidance_service;
pub mod instance_tag;
pub mod location;
pub mod organisation;
pub mod search_dead_letter;
pub mod search_outbox;
pub mod search_rebuild;
pub mod service_tag;
