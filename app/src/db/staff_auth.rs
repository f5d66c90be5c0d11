//! Staff sign-in state: lockout counters and the authenticator-app secret (2-step verification
//! is required for staff).

use super::entities::staff;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

pub async fn staff_by_id<C: ConnectionTrait>(
    db: &C,
    id: i32,
) -> Result<Option<staff::Model>, DbErr> {
    staff::Entity::find_by_id(id).one(db).await
}

/// Counts a failed sign-in atomically and returns the new count.
pub async fn record_failed_sign_in<C: ConnectionTrait>(
    db: &C,
    staff_id: i32,
) -> Result<u32, DbErr> {
    staff::Entity::update_many()
        .col_expr(
            staff::Column::FailedSignIns,
            Expr::col(staff::Column::FailedSignIns).add(1),
        )
        .filter(staff::Column::Id.eq(staff_id))
        .exec(db)
        .await?;
    let count = staff_by_id(db, staff_id)
        .await?
        .map_or(0, |s| s.failed_sign_ins);
    Ok(u32::try_from(count).unwrap_or(0))
}

pub async fn lock<C: ConnectionTrait>(
    db: &C,
    staff_id: i32,
    until: DateTime<Utc>,
) -> Result<(), DbErr> {
    staff::Entity::update_many()
        .col_expr(staff::Column::LockedUntil, Expr::value(until))
        .filter(staff::Column::Id.eq(staff_id))
        .exec(db)
        .await
        .map(|_| ())
}

pub async fn clear_failures<C: ConnectionTrait>(db: &C, staff_id: i32) -> Result<(), DbErr> {
    staff::Entity::update_many()
        .col_expr(staff::Column::FailedSignIns, Expr::value(0))
        .col_expr(
            staff::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(staff::Column::Id.eq(staff_id))
        .exec(db)
        .await
        .map(|_| ())
}
