//! A node-local cache of live sessions. Every authenticated request needs "whose session is
//! this, banned or not?"; reading it from the database each time is a query per request. An
//! entry lives [`TTL`]: a logout or ban made on this node clears it at once, one made on another
//! node is seen here within the TTL.

use dabba_store::model::Principal;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::broadcast;
use uuid::Uuid;

pub const TTL: Duration = Duration::from_secs(2);
/// Beyond this many live entries the cache starts afresh rather than grow.
const MAX_ENTRIES: usize = 100_000;

pub struct SessionCache {
    map: Mutex<HashMap<Uuid, (Principal, Instant)>>,
    /// Tells open sockets that their authority ended (a logout, a ban).
    revoked: broadcast::Sender<Revoked>,
}

/// An authority that ended on this node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoked {
    /// This session logged out.
    Session(Uuid),
    /// This user was banned (or their account changed): all their sessions.
    User(Uuid),
}

impl Default for SessionCache {
    fn default() -> Self {
        Self { map: Mutex::default(), revoked: broadcast::channel(1_024).0 }
    }
}

impl SessionCache {
    /// Revocations from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Revoked> {
        self.revoked.subscribe()
    }
    pub fn get(&self, session_id: Uuid) -> Option<Principal> {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&session_id).filter(|(_, at)| at.elapsed() < TTL).map(|(p, _)| p.clone())
    }

    pub fn put(&self, session_id: Uuid, principal: Principal) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(session_id, (principal, Instant::now()));
    }

    /// After a logout: the session's sockets close too.
    pub fn forget(&self, session_id: Uuid) {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).remove(&session_id);
        let _ = self.revoked.send(Revoked::Session(session_id));
    }

    /// After a ban or unban of `user` (rare): every cached session is read again, and the
    /// user's sockets close (an unbanned user connects again).
    pub fn forget_user(&self, user: Uuid) {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).clear();
        let _ = self.revoked.send(Revoked::User(user));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dabba_domain::Role;

    #[test]
    fn entries_are_forgotten() {
        let c = SessionCache::default();
        let (sid, p) = (
            Uuid::now_v7(),
            Principal { user_id: Uuid::now_v7(), role: Role::Customer, is_banned: false, ban_reason: None },
        );
        c.put(sid, p.clone());
        assert_eq!(c.get(sid), Some(p.clone()));
        c.forget(sid);
        assert_eq!(c.get(sid), None);
        let mut told = c.subscribe();
        c.put(sid, p.clone());
        c.forget_user(p.user_id);
        assert_eq!(c.get(sid), None);
        assert_eq!(told.try_recv(), Ok(Revoked::User(p.user_id)));
    }
}
