//! Court orders sent with online legal-guardian requests (P7), sealed at rest. Nothing here
//! authorizes: the proxy desk's functions have done that.

use super::entities::{court_order, relationship};
use super::tokens::TokenHasher;
use super::vault::{SsnVault, VaultError};
use crate::domain::court_order::OrderFile;
use crate::domain::relationship::RequestStatus;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
    Set,
};

/// A court order sealed under a new random key, ready to be stored.
pub struct SealedOrder {
    key: String,
    kind: OrderFile,
    size_bytes: usize,
    sealed: Vec<u8>,
}

/// Seals `bytes` (already checked to be a `kind`). Sealing 10 MB takes a while: this is done
/// before the transaction that stores it, off the request's thread.
pub fn seal(vault: &SsnVault, kind: OrderFile, bytes: &[u8]) -> SealedOrder {
    let key = TokenHasher::new_token();
    SealedOrder {
        sealed: vault.seal_document(&key, bytes),
        key,
        kind,
        size_bytes: bytes.len(),
    }
}

/// Stores a sealed order for the request `relationship_id`.
pub async fn store<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    relationship_id: i32,
    order: SealedOrder,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    court_order::ActiveModel {
        organization_id: Set(organization_id),
        relationship_id: Set(relationship_id),
        key: Set(order.key),
        media_type: Set(order.kind.media_type().to_owned()),
        size_bytes: Set(i64::try_from(order.size_bytes).unwrap_or(i64::MAX)),
        sealed: Set(order.sealed),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// What the desk's queue shows of a request's order: its key, kind and size (not the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderListing {
    pub relationship_id: i32,
    pub key: String,
    pub kind: OrderFile,
    pub size_bytes: u64,
}

/// The orders of these requests, without their files.
pub async fn listings<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    relationship_ids: &[i32],
) -> Result<Vec<OrderListing>, DbErr> {
    if relationship_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(i32, String, String, i64)> = court_order::Entity::find()
        .select_only()
        .column(court_order::Column::RelationshipId)
        .column(court_order::Column::Key)
        .column(court_order::Column::MediaType)
        .column(court_order::Column::SizeBytes)
        .filter(court_order::Column::OrganizationId.eq(organization_id))
        .filter(court_order::Column::RelationshipId.is_in(relationship_ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(relationship_id, key, media_type, size)| {
            Some(OrderListing {
                relationship_id,
                key,
                kind: OrderFile::from_media_type(&media_type)?,
                size_bytes: u64::try_from(size).unwrap_or(0),
            })
        })
        .collect())
}

/// An order opened for the desk: its request and the file.
pub struct OpenedOrder {
    pub request: relationship::Model,
    pub kind: OrderFile,
    pub bytes: Vec<u8>,
}

/// The order with this key, opened, while its request waits at the desk (pending); `None`
/// for any other key, request or status.
pub async fn open_pending<C: ConnectionTrait>(
    db: &C,
    vault: &SsnVault,
    organization_id: i32,
    key: &str,
) -> Result<Option<OpenedOrder>, OpenError> {
    let Some(order) = court_order::Entity::find()
        .filter(court_order::Column::OrganizationId.eq(organization_id))
        .filter(court_order::Column::Key.eq(key))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(request) = relationship::Entity::find_by_id(order.relationship_id)
        .filter(relationship::Column::OrganizationId.eq(organization_id))
        .filter(relationship::Column::Status.eq(RequestStatus::Pending.as_str()))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let kind = OrderFile::from_media_type(&order.media_type).ok_or(OpenError::Damaged)?;
    let bytes = vault
        .open_document(&order.key, &order.sealed)
        .map_err(|VaultError::CannotOpen| OpenError::Damaged)?;
    Ok(Some(OpenedOrder {
        request,
        kind,
        bytes,
    }))
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error("a stored court order does not open with the vault's key")]
    Damaged,
}
