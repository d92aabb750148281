//! Who is told of work waiting on a pool: its named owner where they have an account, else the license owners who
//! run it (as the access policy says), else the admins, so nothing waits on a pool nobody is told of.

use seatwise_types::{Role, User};

use crate::db::{users, Conn};
use crate::domain::access::{self, PoolPlace};
use crate::error::AppResult;

pub struct PoolPeople {
    owners: Vec<User>,
    admins: Vec<User>,
}

impl PoolPeople {
    pub async fn load(tx: &mut Conn) -> AppResult<Self> {
        Ok(PoolPeople {
            owners: users::having_role(tx, Role::LicenseOwner).await?,
            admins: users::having_role(tx, Role::Admin).await?,
        })
    }

    /// Whom to tell of work on a pool placed so.
    pub fn to_tell(&self, place: PoolPlace) -> Vec<&User> {
        let named: Vec<&User> =
            self.owners.iter().filter(|u| u.person_id.is_some() && u.person_id == place.owner_id).collect();
        if !named.is_empty() {
            return named;
        }
        let running: Vec<&User> = self.owners.iter().filter(|u| access::may_work_case(u, place).is_ok()).collect();
        if !running.is_empty() {
            return running;
        }
        self.admins.iter().collect()
    }
}
