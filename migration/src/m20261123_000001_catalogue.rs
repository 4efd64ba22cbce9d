//! The catalogue: organisations and their locations, courses and their
//! instances, guidance services, and the tag tables that filters use.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Columns every multilingual text has.
fn localized(table: &mut TableCreateStatement, field: &str, long: bool) {
    for lang in ["fi", "sv", "en"] {
        let name = format!("{field}_{lang}");
        let column = if long {
            text_null(Alias::new(name))
        } else {
            string_len_null(Alias::new(name), 1000)
        };
        table.col(column);
    }
}

/// The columns of a postal address with its resolved municipality.
fn address(table: &mut TableCreateStatement) {
    table
        .col(string_len_null("street_address", 300))
        .col(string_len_null("postal_code", 20))
        .col(string_len_null("locality", 200))
        .col(string_len_null("municipality_code", 3));
}

/// Bookkeeping shared by every record a partner owns.
fn bookkeeping(table: &mut TableCreateStatement) {
    table
        .col(string_len("content_hash", 64))
        .col(integer("version").default(1))
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("updated_at"));
}

fn fk(name: &str, from: (&str, &str), to: &str, cascade: bool) -> ForeignKeyCreateStatement {
    let mut key = ForeignKey::create()
        .name(name)
        .from(Alias::new(from.0), Alias::new(from.1))
        .to(Alias::new(to), Alias::new("id"))
        .to_owned();
    if cascade {
        key.on_delete(ForeignKeyAction::Cascade);
    }
    key
}

fn index(name: &str, table: &str, columns: &[&str], unique: bool) -> IndexCreateStatement {
    let mut index = Index::create()
        .name(name)
        .table(Alias::new(table))
        .if_not_exists()
        .to_owned();
    for column in columns {
        index.col(Alias::new(*column));
    }
    if unique {
        index.unique();
    }
    index
}

/// A table of (owner, kind, value) rows that list-valued filters match with `EXISTS`.
fn tag_table(table: &str, owner: &str, owner_table: &str) -> TableCreateStatement {
    Table::create()
        .table(Alias::new(table))
        .if_not_exists()
        .col(integer(Alias::new(owner)))
        .col(string_len("kind", 32))
        .col(string_len("value", 64))
        .primary_key(
            Index::create()
                .col(Alias::new(owner))
                .col(Alias::new("kind"))
                .col(Alias::new("value")),
        )
        .foreign_key(&mut fk(
            &format!("fk_{table}_{owner}"),
            (table, owner),
            owner_table,
            true,
        ))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut organisation = Table::create()
            .table("organisation")
            .if_not_exists()
            .col(pk_auto("id"))
            .col(string_len_uniq("external_id", 500))
            .col(string_len_null("identifier", 200))
            .col(string_len("kind", 64))
            .to_owned();
        localized(&mut organisation, "name", false);
        localized(&mut organisation, "description", true);
        organisation
            .col(string_len_null("url", 2000))
            .col(string_len_null("phone", 64))
            .col(string_len_null("email", 320));
        address(&mut organisation);
        bookkeeping(&mut organisation);
        manager.create_table(organisation).await?;

        let mut location = Table::create()
            .table("location")
            .if_not_exists()
            .col(pk_auto("id"))
            .col(string_len_uniq("external_id", 700))
            .col(integer("organisation_id"))
            .to_owned();
        localized(&mut location, "name", false);
        address(&mut location);
        location
            .col(double_null("latitude"))
            .col(double_null("longitude"))
            .foreign_key(&mut fk(
                "fk_location_organisation",
                ("location", "organisation_id"),
                "organisation",
                true,
            ));
        bookkeeping(&mut location);
        manager.create_table(location).await?;
        manager
            .create_index(index(
                "ix_location_organisation",
                "location",
                &["organisation_id"],
                false,
            ))
            .await?;

        let mut course = Table::create()
            .table("course")
            .if_not_exists()
            .col(pk_auto("id"))
            .col(string_len_uniq("external_id", 500))
            .col(string_len_null("identifier", 200))
            .col(integer("provider_id"))
            .col(integer_null("funder_id"))
            .to_owned();
        localized(&mut course, "name", false);
        localized(&mut course, "description", true);
        localized(&mut course, "credential", false);
        course
            .col(string_len_null("url", 2000))
            .col(string_len_null("education_type", 64))
            .col(double_null("credits_value"))
            .col(string_len_null("credits_unit", 16))
            .col(string_len_null("duration", 64))
            .col(text("fields"))
            .col(text("keywords"))
            .col(text("audiences"))
            .col(text("languages"))
            .col(string_len("state", 16))
            .col(string_len("name_sort", 300))
            .foreign_key(&mut fk(
                "fk_course_provider",
                ("course", "provider_id"),
                "organisation",
                false,
            ))
            .foreign_key(&mut fk(
                "fk_course_funder",
                ("course", "funder_id"),
                "organisation",
                false,
            ));
        bookkeeping(&mut course);
        manager.create_table(course).await?;
        for (name, columns) in [
            ("ix_course_provider", &["provider_id"][..]),
            ("ix_course_state_name", &["state", "name_sort"][..]),
            ("ix_course_state_updated", &["state", "updated_at"][..]),
        ] {
            manager
                .create_index(index(name, "course", columns, false))
                .await?;
        }
        manager
            .create_table(tag_table("course_tag", "course_id", "course"))
            .await?;
        manager
            .create_index(index(
                "ix_course_tag_value",
                "course_tag",
                &["kind", "value", "course_id"],
                false,
            ))
            .await?;

        let mut instance = Table::create()
            .table("course_instance")
            .if_not_exists()
            .col(pk_auto("id"))
            .col(string_len_uniq("external_id", 600))
            .col(integer("course_id"))
            .col(integer("position"))
            .col(integer_null("location_id"))
            .col(string_len_null("municipality_code", 3))
            .col(boolean("online"))
            .col(string_len_null("online_url", 2000))
            .col(text("modes"))
            .col(text("languages"))
            .col(date_null("start_date"))
            .col(date_null("end_date"))
            .col(boolean("flexible_start"))
            .col(text_null("schedule"))
            .col(text("times_of_day"))
            .col(big_integer_null("price_cents"))
            .col(string_len_null("funding", 32))
            .col(text("enrolment_periods"))
            .col(string_len_null("enrolment_url", 2000))
            .col(integer_null("capacity"))
            .foreign_key(&mut fk(
                "fk_instance_course",
                ("course_instance", "course_id"),
                "course",
                true,
            ))
            .foreign_key(&mut fk(
                "fk_instance_location",
                ("course_instance", "location_id"),
                "location",
                false,
            ))
            .to_owned();
        bookkeeping(&mut instance);
        manager.create_table(instance).await?;
        for (name, columns) in [
            ("ix_instance_course", &["course_id", "position"][..]),
            ("ix_instance_municipality", &["municipality_code"][..]),
            ("ix_instance_start", &["start_date"][..]),
        ] {
            manager
                .create_index(index(name, "course_instance", columns, false))
                .await?;
        }
        manager
            .create_table(tag_table("instance_tag", "instance_id", "course_instance"))
            .await?;
        manager
            .create_index(index(
                "ix_instance_tag_value",
                "instance_tag",
                &["kind", "value", "instance_id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("enrolment_period")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("instance_id"))
                    .col(date_null("starts_on"))
                    .col(date_null("ends_on"))
                    .foreign_key(&mut fk(
                        "fk_enrolment_period_instance",
                        ("enrolment_period", "instance_id"),
                        "course_instance",
                        true,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_enrolment_period_instance",
                "enrolment_period",
                &["instance_id"],
                false,
            ))
            .await?;

        let mut service = Table::create()
            .table("guidance_service")
            .if_not_exists()
            .col(pk_auto("id"))
            .col(string_len_uniq("external_id", 500))
            .col(string_len_null("identifier", 200))
            .col(integer("provider_id"))
            .col(string_len_null("service_type", 300))
            .to_owned();
        localized(&mut service, "name", false);
        localized(&mut service, "description", true);
        service
            .col(text("channels"))
            .col(text("opening_hours"))
            .col(text("area_served"))
            .col(text("audiences"))
            .col(string_len("state", 16))
            .col(string_len("name_sort", 300))
            .foreign_key(&mut fk(
                "fk_guidance_service_provider",
                ("guidance_service", "provider_id"),
                "organisation",
                false,
            ));
        bookkeeping(&mut service);
        manager.create_table(service).await?;
        manager
            .create_table(tag_table("service_tag", "service_id", "guidance_service"))
            .await?;
        manager
            .create_index(index(
                "ix_service_tag_value",
                "service_tag",
                &["kind", "value", "service_id"],
                false,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "service_tag",
            "guidance_service",
            "enrolment_period",
            "instance_tag",
            "course_instance",
            "course_tag",
            "course",
            "location",
            "organisation",
        ] {
            manager
                .drop_table(
                    Table::drop()
                        .table(Alias::new(table))
                        .if_exists()
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
