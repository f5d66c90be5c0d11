//! Online enrolment requests (A2) wait here, sealed, until a worker on any portal instance looks
//! at them: the request itself then does the same work whether or not the details match anyone.
//! Each request is claimed with a conditional update, so two workers never handle one twice.

use super::entities::enrolment_request;
use super::vault::SsnVault;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

/// How long a worker may take over a claimed request before another may claim it again.
pub const CLAIM_LEASE: Duration = Duration::minutes(5);

/// Queues a request whose details are `details` (JSON), sealed.
pub async fn enqueue<C: ConnectionTrait>(
    db: &C,
    vault: &SsnVault,
    organization_id: i32,
    details: &[u8],
    source_ip: Option<String>,
    now: DateTime<Utc>,
) -> Result<i32, DbErr> {
    let row = enrolment_request::ActiveModel {
        organization_id: Set(organization_id),
        details_sealed: Set(vault.seal_secret(details)),
        source_ip: Set(source_ip.map(|ip| ip.chars().take(64).collect())),
        created_at: Set(now),
        claimed_until: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

/// A request claimed by this worker, its details opened (`None` when they cannot be opened:
/// sealed with a key that was replaced).
pub struct ClaimedRequest {
    pub id: i32,
    pub organization_id: i32,
    pub details: Option<Vec<u8>>,
    pub source_ip: Option<String>,
}

/// Claims up to `limit` requests that nobody is working on, oldest first.
pub async fn claim_due<C: ConnectionTrait>(
    db: &C,
    vault: &SsnVault,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<ClaimedRequest>, DbErr> {
    let free = || {
        Expr::col(enrolment_request::Column::ClaimedUntil)
            .is_null()
            .or(Expr::col(enrolment_request::Column::ClaimedUntil).lte(now))
    };
    let due = enrolment_request::Entity::find()
        .filter(free())
        .order_by_asc(enrolment_request::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let mut claimed = Vec::new();
    for request in due {
        let won = enrolment_request::Entity::update_many()
            .col_expr(
                enrolment_request::Column::ClaimedUntil,
                Expr::value(now + CLAIM_LEASE),
            )
            .filter(enrolment_request::Column::Id.eq(request.id))
            .filter(free())
            .exec(db)
            .await?
            .rows_affected
            == 1;
        if won {
            claimed.push(ClaimedRequest {
                id: request.id,
                organization_id: request.organization_id,
                details: vault.open_secret(&request.details_sealed).ok(),
                source_ip: request.source_ip,
            });
        }
    }
    Ok(claimed)
}

/// The request was handled: it is removed, in the transaction of what handling it wrote.
/// `false` when it was gone already (another worker handled it after this one's claim ran out):
/// the caller must then roll back.
pub async fn finish<C: ConnectionTrait>(db: &C, id: i32) -> Result<bool, DbErr> {
    Ok(enrolment_request::Entity::delete_by_id(id)
        .exec(db)
        .await?
        .rows_affected
        == 1)
}
