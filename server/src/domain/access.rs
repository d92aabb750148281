//! Who may see and do what: every access question the server asks is answered here, pure, from the caller's roles
//! and departments. Services ask before they act; handlers never look at roles; the session's `capabilities` are
//! derived from the same answers, so the console offers exactly what the server allows.

use seatwise_types::{Capabilities, HomePage, Role, User, WaitingFor};

/// A refusal, with the sentence the user is shown (403 `forbidden`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct Denied {
    pub reason: &'static str,
}

/// What every access question answers: allowed, or refused with a reason.
pub type Access = Result<(), Denied>;

fn allow_if(allowed: bool, reason: &'static str) -> Access {
    if allowed {
        Ok(())
    } else {
        Err(Denied { reason })
    }
}

const NO_ROLE: &str = "Your account has no role here yet: you see your own seats.";

/// Every role but employee: the console's shared pages (the directory, inventory, renewals). An employee sees
/// their own seats only.
fn staff(user: &User) -> bool {
    user.roles.iter().any(|r| *r != Role::Employee)
}

/// Personal API tokens (scripts against the console): every role but employee.
pub fn may_use_api_tokens(user: &User) -> Access {
    allow_if(staff(user), "API tokens are for the console's roles; your seats are on the My seats page.")
}

/// One's own seats: any login that is a person of the directory, whatever its roles; the person it is.
pub fn may_see_own_seats(user: &User) -> Result<i64, Denied> {
    user.person_id.ok_or(Denied { reason: "Your login is not a person of the directory, so it holds no seats." })
}

/// Asking for a seat of any pool for oneself (My seats; an approver signs it off): any login that is a person.
pub fn may_ask_for_seat(user: &User) -> Result<i64, Denied> {
    user.person_id.ok_or(Denied { reason: "Your login is not a person of the directory, so it cannot hold a seat." })
}

/// Where a pool sits, for access: its department and its named owner (a person), the two things that put it in a
/// license owner's scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolPlace {
    pub department_id: i64,
    pub owner_id: Option<i64>,
}

impl PoolPlace {
    pub fn new(department_id: i64, owner_id: Option<i64>) -> Self {
        PoolPlace { department_id, owner_id }
    }
}

/// The pools a scoped user reaches: those of their departments, and those whose named owner is their person
/// (wherever that pool's department is).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reach {
    pub departments: Vec<i64>,
    pub owner_id: Option<i64>,
}

impl Reach {
    pub fn covers(&self, pool: PoolPlace) -> bool {
        self.departments.contains(&pool.department_id) || (self.owner_id.is_some() && pool.owner_id == self.owner_id)
    }
}

/// Which pools a user may see: `All`, those within reach, or none at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Within(Reach),
    Nothing,
}

impl Scope {
    /// Whether a pool placed so is in scope.
    pub fn covers(&self, pool: PoolPlace) -> bool {
        match self {
            Scope::All => true,
            Scope::Within(reach) => reach.covers(pool),
            Scope::Nothing => false,
        }
    }

    /// Whether the scope takes in a whole department: new pools go there, and its name is offered as a filter.
    /// Owning a pool of a department does not make the department one's own.
    pub fn has_department(&self, department_id: i64) -> bool {
        match self {
            Scope::All => true,
            Scope::Within(reach) => reach.departments.contains(&department_id),
            Scope::Nothing => false,
        }
    }

    /// The filter for storage queries (`None` = no filter; an empty reach matches nothing).
    pub fn as_filter(&self) -> Option<Reach> {
        match self {
            Scope::All => None,
            Scope::Within(reach) => Some(reach.clone()),
            Scope::Nothing => Some(Reach::default()),
        }
    }

    /// The scope, or `reason` when it holds nothing.
    fn or_denied(self, reason: &'static str) -> Result<Scope, Denied> {
        match self {
            Scope::Nothing => Err(Denied { reason }),
            scope => Ok(scope),
        }
    }
}

/// A license owner's reach: their departments, and the pools naming their person as owner.
fn owner_reach(user: &User) -> Scope {
    Scope::Within(Reach { departments: user.department_ids.clone(), owner_id: user.person_id })
}

fn admin(user: &User) -> bool {
    user.has(Role::Admin)
}

/// Admin, finance and approvers read every pool; license owners read their departments' and those they own.
pub fn pool_read_scope(user: &User) -> Scope {
    if admin(user) || user.has(Role::Finance) || user.has(Role::Approver) {
        Scope::All
    } else if user.has(Role::LicenseOwner) {
        owner_reach(user)
    } else {
        Scope::Nothing
    }
}

/// Admins edit every pool; license owners edit their departments' and those they own. Finance and approvers
/// never edit.
pub fn pool_write_scope(user: &User) -> Scope {
    if admin(user) {
        Scope::All
    } else if user.has(Role::LicenseOwner) {
        owner_reach(user)
    } else {
        Scope::Nothing
    }
}

// --- Everyone with a role -------------------------------------------------------------------------------------

/// The directory (people, vendors, products, departments, devices) and the organisation settings are needed to
/// pick owners, seat holders and dates, so every role reads them.
pub fn may_read_directory(user: &User) -> Access {
    allow_if(staff(user), NO_ROLE)
}

/// A personal calendar feed of what one owns or watches; a feed whose user lost every role stops answering.
pub fn may_use_calendar_feed(user: &User) -> Access {
    allow_if(staff(user), NO_ROLE)
}

/// Costs and contract values: every role sees the money of what it may read.
pub fn may_see_money(user: &User) -> Access {
    allow_if(staff(user), NO_ROLE)
}

// --- Pools ----------------------------------------------------------------------------------------------------

/// The inventory, within the caller's read scope.
pub fn may_read_inventory(user: &User) -> Result<Scope, Denied> {
    pool_read_scope(user).or_denied("Your roles do not include the inventory.")
}

/// New pools, in the departments the caller may edit.
pub fn may_create_pools(user: &User) -> Result<Scope, Denied> {
    pool_write_scope(user).or_denied("Your roles do not allow creating pools.")
}

/// A pool the caller can already read: changing it and its seats.
pub fn may_edit_pool(user: &User, pool: PoolPlace) -> Access {
    allow_if(pool_write_scope(user).covers(pool), "You may view this pool but not change it.")
}

/// Where a pool may be put, as the field that is refused and why: new and moved pools go to the caller's
/// departments, and a changed pool stays where the caller may edit it (so a named owner keeps a pool of another
/// department where it is and as its owner; an admin moves or hands over any).
/// `before`: where the pool was (`None` for a new one).
pub fn may_place_pool(user: &User, place: PoolPlace, before: Option<PoolPlace>) -> Result<(), (&'static str, Denied)> {
    let scope = pool_write_scope(user);
    let stays = before.is_some_and(|b| b.department_id == place.department_id);
    if !stays && !scope.has_department(place.department_id) {
        Err(("department_id", Denied { reason: "must be one of your departments" }))
    } else if !scope.covers(place) {
        Err(("owner_id", Denied { reason: "must be you, for a pool outside your departments" }))
    } else {
        Ok(())
    }
}

/// Taking one seat back at once (not through a change request), on a pool the caller may edit: admins always,
/// license owners while the approval policy lets them (`owners_may`).
pub fn may_take_back_directly(user: &User, pool: PoolPlace, owners_may: bool) -> Access {
    may_edit_pool(user, pool)?;
    allow_if(
        admin(user) || owners_may,
        "Taking a seat back goes through a change request here: choose the seat and draft one for approval.",
    )
}

/// "My licenses": the pools the caller looks after (their departments' and those they own; everything for admins).
pub fn may_own_pools(user: &User) -> Result<Scope, Denied> {
    pool_write_scope(user).or_denied("Only license owners and admins own pools.")
}

// --- Catalog, devices, people ---------------------------------------------------------------------------------

/// Vendors and products are shared reference data: admins and license owners add them.
pub fn may_edit_catalog(user: &User) -> Access {
    allow_if(admin(user) || user.has(Role::LicenseOwner), "Only admins and license owners add vendors and products.")
}

/// Devices (seats go to them) are registered by those who assign seats.
pub fn may_register_devices(user: &User) -> Access {
    allow_if(admin(user) || user.has(Role::LicenseOwner), "Only admins and license owners register devices.")
}

/// A person's employment status (by hand; imports and SCIM change it through their own rights).
pub fn may_edit_people(user: &User) -> Access {
    allow_if(admin(user), "Only admins change a person's employment status.")
}

// --- Contracts and alerts -------------------------------------------------------------------------------------

/// Contracts, the calendar and alerts, within the caller's read scope (a contract is readable where a covered
/// pool is).
pub fn may_read_contracts(user: &User) -> Result<Scope, Denied> {
    pool_read_scope(user).or_denied("Your roles do not include contracts.")
}

/// New contracts, covering pools the caller may edit.
pub fn may_record_contracts(user: &User) -> Access {
    allow_if(pool_write_scope(user) != Scope::Nothing, "Your roles do not allow recording contracts.")
}

/// A contract covering no pool belongs to no department, so only admins record or keep one. Refused as a field
/// error on `pool_ids`.
pub fn may_record_uncovered_contract(user: &User) -> Access {
    allow_if(admin(user), "name at least one of your pools")
}

/// Contracts follow their pools: editable by admins and by license owners who may edit every covered pool
/// (`pools`: where the covered pools sit).
pub fn may_edit_contract(user: &User, pools: &[PoolPlace]) -> Access {
    let scope = pool_write_scope(user);
    let owns_all = !pools.is_empty() && pools.iter().all(|p| scope.covers(*p));
    allow_if(admin(user) || owns_all, "You may view this contract but not change it.")
}

/// Renewal decisions are made by whoever may edit the contract.
pub fn may_decide_contract(user: &User, pools: &[PoolPlace]) -> Access {
    may_edit_contract(user, pools).map_err(|_| Denied { reason: "You may view this contract but not decide on it." })
}

/// Acknowledging, snoozing, assigning and deciding an alert: the rights on its contract.
pub fn may_act_on_alert(user: &User, pools: &[PoolPlace]) -> Access {
    may_edit_contract(user, pools).map_err(|_| Denied { reason: "You may view this alert but not act on it." })
}

/// Turning every pool's own contract dates into contracts spans all departments: admins.
pub fn may_adopt_pool_terms(user: &User) -> Access {
    allow_if(admin(user), "Only admins turn pool dates into contracts.")
}

// --- Change requests ------------------------------------------------------------------------------------------

/// Bulk changes to pools the caller may edit: their operations outside that scope are row errors.
pub fn may_request_changes(user: &User) -> Result<Scope, Denied> {
    pool_write_scope(user).or_denied("Only license owners and admins request changes.")
}

/// Which change requests a user reads: admins, approvers and finance all of them; license owners their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeReader {
    All,
    Own(i64),
}

impl ChangeReader {
    pub fn sees(self, requested_by: i64) -> bool {
        match self {
            ChangeReader::All => true,
            ChangeReader::Own(user_id) => user_id == requested_by,
        }
    }
}

pub fn change_request_reader(user: &User) -> Result<ChangeReader, Denied> {
    if admin(user) || user.has(Role::Approver) || user.has(Role::Finance) {
        Ok(ChangeReader::All)
    } else if user.has(Role::LicenseOwner) {
        Ok(ChangeReader::Own(user.id))
    } else {
        Err(Denied { reason: "Your roles do not include change requests." })
    }
}

/// A draft is its requester's to change and submit.
pub fn may_edit_change_request(user: &User, requested_by: i64) -> Access {
    allow_if(user.id == requested_by, "Only the person who requested this change may change or submit it.")
}

/// Four eyes: neither the requester nor the author of the policy version that selected a request's rows (a
/// reclamation run someone else started) signs it off.
fn not_a_party(user: &User, requested_by: i64, author: Option<i64>) -> Access {
    allow_if(user.id != requested_by, "You requested this change: someone else must approve or reject it.")?;
    allow_if(
        author != Some(user.id),
        "You wrote the reclamation policy that selected these seats: someone else must approve or reject it.",
    )
}

/// The roles that give the sign-off a request waits for (who is mailed, and who may give it): approvers and admins
/// the first, finance the second.
pub fn sign_off_roles(waiting: WaitingFor) -> &'static [Role] {
    match waiting {
        WaitingFor::Approver => &[Role::Approver, Role::Admin],
        WaitingFor::Finance => &[Role::Finance],
    }
}

fn has_any(user: &User, roles: &[Role]) -> bool {
    roles.iter().any(|r| user.has(*r))
}

/// Approving or rejecting: approvers and admins, and never the requester or the policy's author, whatever their
/// roles (four eyes).
pub fn may_decide_change_request(user: &User, requested_by: i64, author: Option<i64>) -> Access {
    allow_if(
        has_any(user, sign_off_roles(WaitingFor::Approver)),
        "Only approvers and admins approve change requests.",
    )?;
    not_a_party(user, requested_by, author)
}

/// The second sign-off of a request above the policy's thresholds: someone with the finance role who neither
/// requested it, wrote the policy behind it, nor gave its first approval.
pub fn may_give_finance_approval(user: &User, requested_by: i64, author: Option<i64>, approved_by: i64) -> Access {
    allow_if(
        has_any(user, sign_off_roles(WaitingFor::Finance)),
        "This request also needs a finance approval: only finance gives it.",
    )?;
    not_a_party(user, requested_by, author)?;
    allow_if(
        user.id != approved_by,
        "You gave this request its first approval: someone else in finance gives the second.",
    )
}

/// Signing change requests off at all: approvers, admins and finance.
pub fn may_sign_off_changes(user: &User) -> Access {
    allow_if(approves_as(user) != (false, false), "Only approvers, finance and admins sign change requests off.")
}

/// Whose sign-off a user may give: the approver's, and finance's (the service checks the request's own people).
pub fn approves_as(user: &User) -> (bool, bool) {
    (admin(user) || user.has(Role::Approver), user.has(Role::Finance))
}

/// Asking to roll an applied request back (a new request, approved like any other): its requester or an admin.
pub fn may_roll_back_change_request(user: &User, requested_by: i64) -> Access {
    may_request_changes(user)?;
    allow_if(user.id == requested_by || admin(user), "Only the requester or an admin asks to roll a change back.")
}

/// Applying an approved request: its requester, or an approver or admin.
pub fn may_apply_change_request(user: &User, requested_by: i64) -> Access {
    allow_if(
        user.id == requested_by || admin(user) || user.has(Role::Approver),
        "Only the requester, an approver or an admin applies an approved change.",
    )
}

// --- Administration -------------------------------------------------------------------------------------------

/// HR, Snipe-IT and Microsoft 365 imports change people and seats everywhere: admins.
pub fn may_import(user: &User) -> Access {
    allow_if(admin(user), "Only admins import people.")
}

/// The whole audit ledger (a record's own history is read with the record).
pub fn may_read_ledger(user: &User) -> Access {
    allow_if(admin(user), "Only admins read the whole ledger.")
}

/// User accounts and their roles.
pub fn may_administer_users(user: &User) -> Access {
    allow_if(admin(user), "Only admins manage users.")
}

/// The roles an admin gives `target_id` (after `may_administer_users`): an admin may not take their own admin
/// role, so the last admin cannot lock everyone out by accident. Refused as a field error on `roles`.
pub fn may_give_roles(user: &User, target_id: i64, roles: &[Role]) -> Access {
    allow_if(target_id != user.id || roles.contains(&Role::Admin), "you cannot remove your own admin role")
}

/// Connectors (where seat decisions are pushed, with the credentials to do it): admins.
pub fn may_manage_connectors(user: &User) -> Access {
    allow_if(admin(user), "Only admins manage connectors.")
}

/// Seat tasks (changes a connector leaves to a person, in the target system) are done by who runs the pool:
/// admins for every pool, license owners for theirs. The pools whose tasks they see and do.
pub fn may_do_seat_tasks(user: &User) -> Result<Scope, Denied> {
    pool_write_scope(user).or_denied("Seat tasks are done by admins and the license owners who run the pool.")
}

/// The organisation's settings (time zone, alert stages, daily run).
pub fn may_change_settings(user: &User) -> Access {
    allow_if(admin(user), "Only admins change organisation settings.")
}

/// The exchange-rate table every figure in the reporting currency is converted with: admins keep it (everyone who
/// sees money reads it, with the rates shown beside converted figures).
pub fn may_keep_exchange_rates(user: &User) -> Access {
    allow_if(admin(user), "Only admins keep the exchange rates.")
}

/// The finance figures, with the inventory's scope: every cost centre for admins, finance and approvers, their
/// own pools' for license owners.
pub fn may_read_finance(user: &User) -> Result<Scope, Denied> {
    pool_read_scope(user).or_denied("Your roles do not include the finance figures.")
}

/// Budgets are what finance keeps (with admins); finance changes nothing else.
pub fn may_keep_budgets(user: &User) -> Access {
    allow_if(admin(user) || user.has(Role::Finance), "Only finance and admins set budgets.")
}

/// How a pool is charged back is its owner's choice (the pool's editors).
pub fn may_set_chargeback(user: &User, pool: PoolPlace) -> Access {
    may_edit_pool(user, pool)
}

/// SCIM tokens are the organisation's credentials for its identity provider.
pub fn may_manage_scim_tokens(user: &User) -> Access {
    allow_if(admin(user), "Only admins manage SCIM tokens.")
}

// --- Reclamation and savings ----------------------------------------------------------------------------------

/// Policies, cases, holds and the savings log are read with the inventory's scope: everything for admins,
/// finance and approvers, their departments' pools for license owners.
pub fn may_read_reclamation(user: &User) -> Result<Scope, Denied> {
    pool_read_scope(user).or_denied("Your roles do not include reclamation.")
}

/// Writing a policy, trying it and running it: admins for any pool or product; license owners for a pool of their
/// departments or one they own (`pool`), never for a whole product, which spans departments.
pub fn may_manage_policy(user: &User, pool: Option<PoolPlace>) -> Access {
    let allowed = admin(user) || pool.is_some_and(|p| pool_write_scope(user).covers(p));
    allow_if(allowed, "Only admins, and license owners for their departments' pools, manage reclamation policies.")
}

/// Acting on reclamation anywhere at all (starting a campaign, deciding a case): admins, and license owners with a
/// pool in their care; finance and approvers only read it. Each pool involved is then checked on its own.
pub fn may_act_on_reclamation(user: &User) -> Access {
    let allowed = may_manage_policy(user, None).is_ok()
        || matches!(pool_write_scope(user), Scope::Within(r) if !r.departments.is_empty() || r.owner_id.is_some());
    allow_if(allowed, "Your roles let you read reclamation, not act on it.")
}

/// Working a case (keep, release, restore) on a pool placed so.
pub fn may_work_case(user: &User, pool: PoolPlace) -> Access {
    allow_if(pool_write_scope(user).covers(pool), "You may view this case but not act on it.")
}

/// Legal holds are placed and lifted by admins; a blackout window on a pool by whoever may edit the pool.
pub fn may_place_hold(user: &User, blackout_pool: Option<PoolPlace>) -> Access {
    match blackout_pool {
        None => allow_if(admin(user), "Only admins place or lift legal holds."),
        Some(p) => allow_if(pool_write_scope(user).covers(p), "You may not place a blackout on this pool."),
    }
}

/// A legal hold's existence and reason are for admins (who place them); others see a case "on hold" and until
/// when, and no legal hold in the holds list.
pub fn may_see_legal_holds(user: &User) -> bool {
    admin(user)
}

/// What the console offers this user; each answer is the rule that guards the action.
pub fn capabilities(user: &User) -> Capabilities {
    Capabilities {
        create_pools: may_create_pools(user).is_ok(),
        record_contracts: may_record_contracts(user).is_ok(),
        edit_catalog: may_edit_catalog(user).is_ok(),
        own_licenses: may_own_pools(user).is_ok(),
        import: may_import(user).is_ok(),
        read_ledger: may_read_ledger(user).is_ok(),
        administer: may_administer_users(user).is_ok()
            && may_change_settings(user).is_ok()
            && may_manage_scim_tokens(user).is_ok(),
        edit_people: may_edit_people(user).is_ok(),
        see_money: may_see_money(user).is_ok(),
        register_devices: may_register_devices(user).is_ok(),
        adopt_pool_terms: may_adopt_pool_terms(user).is_ok(),
        request_changes: may_request_changes(user).is_ok(),
        read_change_requests: change_request_reader(user).is_ok(),
        approve_changes: may_sign_off_changes(user).is_ok(),
        read_reclamation: may_read_reclamation(user).is_ok(),
        manage_reclamation: may_act_on_reclamation(user).is_ok(),
        read_finance: may_read_finance(user).is_ok(),
        keep_budgets: may_keep_budgets(user).is_ok(),
        keep_exchange_rates: may_keep_exchange_rates(user).is_ok(),
        read_console: staff(user),
        my_seats: may_see_own_seats(user).is_ok(),
        home: home_page(user),
    }
}

/// Where each role's work starts: an admin on the overview of what needs someone, an owner on their own pools, an
/// approver (who owns none) on the queue waiting for them, finance on its dashboard.
pub fn home_page(user: &User) -> HomePage {
    if admin(user) {
        HomePage::Overview
    } else if may_own_pools(user).is_ok() {
        HomePage::MyLicenses
    } else if user.has(Role::Approver) {
        HomePage::Approvals
    } else if user.has(Role::Finance) {
        HomePage::Finance
    } else if staff(user) {
        HomePage::Inventory
    } else {
        HomePage::MySeats
    }
}

/// Alerts a user can act on, for the counts beside the navigation: those of the pools they may edit (finance and
/// approvers read alerts but decide none, so none count for them).
pub fn alert_action_scope(user: &User) -> Scope {
    pool_write_scope(user)
}

/// Who reads a contract's covered pools. In the app that is the caller's department scope; Seatwise's own messages
/// (alert e-mail, calendar feeds) also reach a pool's owner by address, so a recipient sees the pools they own too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reader {
    pub scope: Scope,
    /// Lower-cased address of a recipient; pools owned by this address are theirs to hear about.
    pub email: Option<String>,
}

impl Reader {
    /// A signed-in caller: their roles' scope (as `pool_read_scope`).
    pub fn user(user: &User) -> Self {
        Reader { scope: pool_read_scope(user), email: None }
    }

    /// Someone Seatwise writes to: their login's current scope if they have one, and the pools they own.
    pub fn recipient(user: Option<&User>, email: &str) -> Self {
        Reader { scope: user.map_or(Scope::Nothing, pool_read_scope), email: Some(email.trim().to_lowercase()) }
    }

    /// Whether this reader sees a pool placed so, owned by `owner_email`.
    pub fn sees(&self, pool: PoolPlace, owner_email: Option<&str>) -> bool {
        self.scope.covers(pool)
            || matches!((&self.email, owner_email), (Some(me), Some(owner)) if owner.trim().eq_ignore_ascii_case(me))
    }
}

/// Whether a reader sees a contract at all: everything-readers do, others through at least one visible pool.
pub fn sees_contract(reader: &Reader, visible_pools: usize) -> bool {
    reader.scope == Scope::All || visible_pools > 0
}

/// The one rule for what of a contract a reader sees: the covered pools `sees` allows, in order, and how many
/// were left out. Every read path (detail, list, calendar, alerts, e-mail, feed) goes through this.
pub fn visible_pools<'a, P>(
    reader: &Reader,
    pools: impl IntoIterator<Item = &'a P>,
    facts: impl Fn(&P) -> (PoolPlace, Option<&str>),
) -> (Vec<&'a P>, i64)
where
    P: 'a,
{
    let mut hidden = 0;
    let mut shown = Vec::new();
    for p in pools {
        let (place, owner) = facts(p);
        if reader.sees(place, owner) {
            shown.push(p);
        } else {
            hidden += 1;
        }
    }
    (shown, hidden)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(roles: &[Role], depts: &[i64]) -> User {
        User {
            id: 1,
            email: "a@b".into(),
            name: "A".into(),
            roles: roles.to_vec(),
            department_ids: depts.to_vec(),
            person_id: None,
            version: 1,
        }
    }

    /// A pool of department `d` with no named owner.
    fn at(d: i64) -> PoolPlace {
        PoolPlace::new(d, None)
    }

    fn admin_user() -> User {
        user(&[Role::Admin], &[])
    }

    #[test]
    fn owners_are_scoped_to_their_departments() {
        let owner = user(&[Role::LicenseOwner], &[3, 4]);
        assert_eq!(pool_read_scope(&owner), Scope::Within(Reach { departments: vec![3, 4], owner_id: None }));
        assert_eq!(may_read_inventory(&owner), Ok(Scope::Within(Reach { departments: vec![3, 4], owner_id: None })));
        assert!(may_edit_pool(&owner, at(3)).is_ok());
        assert_eq!(may_edit_pool(&owner, at(5)), Err(Denied { reason: "You may view this pool but not change it." }));
        assert_eq!(may_own_pools(&owner), Ok(Scope::Within(Reach { departments: vec![3, 4], owner_id: None })));
        assert!(may_edit_catalog(&owner).is_ok() && may_register_devices(&owner).is_ok());
        assert!(may_import(&owner).is_err() && may_read_ledger(&owner).is_err());
    }

    #[test]
    fn owners_reach_the_pools_naming_them_wherever_they_are() {
        let omar = User { person_id: Some(70), ..user(&[Role::LicenseOwner], &[3]) };
        let owned_elsewhere = PoolPlace::new(9, Some(70));
        let someone_elses = PoolPlace::new(9, Some(71));
        for scope in [pool_read_scope(&omar), pool_write_scope(&omar), may_own_pools(&omar).unwrap_or(Scope::Nothing)] {
            assert!(scope.covers(owned_elsewhere) && scope.covers(at(3)));
            assert!(!scope.covers(someone_elses) && !scope.covers(at(9)));
            assert!(!scope.has_department(9), "owning a pool does not make its department one's own");
        }
        assert!(may_edit_pool(&omar, owned_elsewhere).is_ok());
        assert!(may_edit_contract(&omar, &[owned_elsewhere, at(3)]).is_ok());
        assert!(may_edit_contract(&omar, &[owned_elsewhere, someone_elses]).is_err(), "every covered pool");
        assert!(may_act_on_alert(&omar, &[owned_elsewhere]).is_ok());
        assert!(may_work_case(&omar, owned_elsewhere).is_ok() && may_work_case(&omar, someone_elses).is_err());
        assert!(may_manage_policy(&omar, Some(owned_elsewhere)).is_ok());
        assert!(may_place_hold(&omar, Some(owned_elsewhere)).is_ok());
        // New pools go to one's departments; a pool owned elsewhere stays only with its owner.
        assert_eq!(may_place_pool(&omar, owned_elsewhere, None).map_err(|e| e.0), Err("department_id"));
        assert!(may_place_pool(&omar, at(3), None).is_ok());
        let was = Some(owned_elsewhere);
        assert!(may_place_pool(&omar, owned_elsewhere, was).is_ok());
        assert_eq!(may_place_pool(&omar, someone_elses, was).map_err(|e| e.0), Err("owner_id"));
        assert_eq!(may_place_pool(&omar, PoolPlace::new(8, Some(71)), was).map_err(|e| e.0), Err("department_id"));
        assert!(may_place_pool(&omar, PoolPlace::new(3, Some(71)), was).is_ok(), "into their department, any owner");
        // A person id on a login without the owner role reaches nothing more.
        let finance = User { person_id: Some(70), ..user(&[Role::Finance], &[]) };
        assert!(may_edit_pool(&finance, owned_elsewhere).is_err());
        // With no person, an owner reaches their departments only; an empty reach matches nothing.
        assert_eq!(pool_read_scope(&user(&[Role::LicenseOwner], &[])).as_filter(), Some(Reach::default()));
        assert!(capabilities(&User { person_id: Some(70), ..user(&[Role::LicenseOwner], &[]) }).manage_reclamation);
    }

    #[test]
    fn finance_and_approvers_read_everything_and_edit_nothing() {
        for role in [Role::Finance, Role::Approver] {
            let reader = user(&[role], &[]);
            assert_eq!(may_read_inventory(&reader), Ok(Scope::All));
            assert_eq!(may_read_contracts(&reader), Ok(Scope::All));
            assert!(may_see_money(&reader).is_ok() && may_read_directory(&reader).is_ok());
            assert!(may_create_pools(&reader).is_err());
            assert!(may_edit_pool(&reader, at(3)).is_err());
            assert!(may_own_pools(&reader).is_err());
            assert!(may_edit_catalog(&reader).is_err());
            assert!(may_register_devices(&reader).is_err());
            assert!(may_record_contracts(&reader).is_err());
            assert!(may_edit_contract(&reader, &[at(3)]).is_err());
            assert!(may_edit_people(&reader).is_err());
            assert!(may_administer_users(&reader).is_err());
        }
    }

    #[test]
    fn contracts_are_edited_by_owners_of_every_covered_pool() {
        let owner = user(&[Role::LicenseOwner], &[3, 4]);
        assert!(may_edit_contract(&owner, &[at(3), at(4)]).is_ok());
        assert!(may_edit_contract(&owner, &[at(3), at(5)]).is_err());
        assert!(may_edit_contract(&owner, &[]).is_err());
        assert!(may_edit_contract(&admin_user(), &[]).is_ok());
        assert!(may_edit_contract(&user(&[Role::Finance], &[]), &[at(3)]).is_err());
        // Deciding and acting on alerts follow editing, each with its own sentence.
        assert_eq!(may_decide_contract(&owner, &[at(5)]).map_err(|d| d.reason.contains("decide")), Err(true));
        assert_eq!(may_act_on_alert(&owner, &[at(5)]).map_err(|d| d.reason.contains("alert")), Err(true));
        assert!(may_act_on_alert(&owner, &[at(4)]).is_ok());
        assert!(may_record_uncovered_contract(&owner).is_err());
        assert!(may_record_uncovered_contract(&admin_user()).is_ok());
    }

    #[test]
    fn administration_is_for_admins() {
        let admin = admin_user();
        for answer in [
            may_import(&admin),
            may_read_ledger(&admin),
            may_administer_users(&admin),
            may_change_settings(&admin),
            may_manage_scim_tokens(&admin),
            may_edit_people(&admin),
            may_adopt_pool_terms(&admin),
        ] {
            assert_eq!(answer, Ok(()));
        }
        assert!(may_give_roles(&admin, 2, &[]).is_ok());
        assert!(may_give_roles(&admin, 1, &[Role::Admin, Role::Finance]).is_ok());
        assert!(may_give_roles(&admin, 1, &[Role::Finance]).is_err(), "an admin keeps their own admin role");
        let owner = user(&[Role::LicenseOwner], &[3]);
        assert_eq!(may_import(&owner), Err(Denied { reason: "Only admins import people." }));
        assert!(may_adopt_pool_terms(&owner).is_err());
    }

    #[test]
    fn no_roles_no_access() {
        let nobody = user(&[], &[]);
        assert_eq!(pool_read_scope(&nobody), Scope::Nothing);
        assert_eq!(Scope::Nothing.as_filter(), Some(Reach::default()));
        assert!(may_read_directory(&nobody).is_err());
        assert!(may_use_calendar_feed(&nobody).is_err());
        assert!(may_read_inventory(&nobody).is_err());
        assert!(may_read_contracts(&nobody).is_err());
        assert_eq!(capabilities(&nobody), Capabilities { home: HomePage::MySeats, ..Capabilities::default() });
    }

    #[test]
    fn an_employee_sees_their_own_seats_and_nothing_of_the_console() {
        let employee = User { person_id: Some(42), ..user(&[Role::Employee], &[]) };
        assert_eq!(may_see_own_seats(&employee), Ok(42));
        assert!(may_see_own_seats(&user(&[Role::Employee], &[])).is_err(), "a login that is nobody holds nothing");
        assert!(may_read_directory(&employee).is_err() && may_see_money(&employee).is_err());
        assert_eq!(pool_read_scope(&employee), Scope::Nothing);
        assert!(may_read_finance(&employee).is_err() && may_request_changes(&employee).is_err());
        let can = capabilities(&employee);
        assert_eq!(
            can,
            Capabilities { my_seats: true, home: HomePage::MySeats, ..Capabilities::default() },
            "nothing but their seats"
        );
        // Staff who are people have their seats too.
        let owner = User { person_id: Some(7), ..user(&[Role::LicenseOwner, Role::Employee], &[3]) };
        assert!(capabilities(&owner).read_console && capabilities(&owner).my_seats);
    }

    #[test]
    fn capabilities_follow_the_rules() {
        let all = capabilities(&admin_user());
        assert!(all.create_pools && all.record_contracts && all.edit_catalog && all.own_licenses && all.import);
        assert!(all.read_ledger && all.administer && all.edit_people && all.see_money);
        assert!(all.register_devices && all.adopt_pool_terms);
        assert!(all.request_changes && all.read_change_requests && all.approve_changes);
        let owner = capabilities(&user(&[Role::LicenseOwner], &[3]));
        assert_eq!(
            owner,
            Capabilities {
                create_pools: true,
                record_contracts: true,
                edit_catalog: true,
                own_licenses: true,
                see_money: true,
                read_console: true,
                register_devices: true,
                request_changes: true,
                read_change_requests: true,
                read_reclamation: true,
                manage_reclamation: true,
                read_finance: true,
                home: HomePage::MyLicenses,
                ..Capabilities::default()
            }
        );
        // Each role starts where its work is.
        assert_eq!(all.home, HomePage::Overview);
        assert_eq!(capabilities(&user(&[Role::Approver], &[])).home, HomePage::Approvals);
        assert_eq!(capabilities(&user(&[Role::Finance], &[])).home, HomePage::Finance);
        assert_eq!(capabilities(&user(&[Role::Approver, Role::LicenseOwner], &[3])).home, HomePage::MyLicenses);
        assert!(may_manage_policy(&user(&[Role::LicenseOwner], &[3]), Some(at(3))).is_ok());
        assert!(may_manage_policy(&user(&[Role::LicenseOwner], &[3]), Some(at(4))).is_err());
        assert!(may_manage_policy(&user(&[Role::LicenseOwner], &[3]), None).is_err(), "not a whole product");
        assert!(may_place_hold(&user(&[Role::LicenseOwner], &[3]), None).is_err(), "legal holds are admins'");
        // An owner of no department yet still edits the catalog but has no pools to create or own.
        let unplaced = capabilities(&user(&[Role::LicenseOwner], &[]));
        assert!(unplaced.create_pools && unplaced.own_licenses, "the scope exists even when empty");
        for (role, home) in [(Role::Finance, HomePage::Finance), (Role::Approver, HomePage::Approvals)] {
            let expected = Capabilities {
                see_money: true,
                read_change_requests: true,
                approve_changes: true,
                read_reclamation: true,
                read_finance: true,
                keep_budgets: role == Role::Finance,
                read_console: true,
                home,
                ..Capabilities::default()
            };
            assert_eq!(capabilities(&user(&[role], &[])), expected);
        }
    }

    #[test]
    fn readers_see_their_departments_pools_and_recipients_their_own() {
        let owner = user(&[Role::LicenseOwner], &[3]);
        let pools = [(1, 3, None), (2, 5, Some("Ann@Example.com".to_string())), (3, 5, None)];
        fn facts(p: &(i64, i64, Option<String>)) -> (PoolPlace, Option<&str>) {
            (at(p.1), p.2.as_deref())
        }
        let (shown, hidden) = visible_pools(&Reader::user(&owner), &pools, facts);
        assert_eq!((shown.iter().map(|p| p.0).collect::<Vec<_>>(), hidden), (vec![1], 2));
        let (shown, hidden) = visible_pools(&Reader::recipient(Some(&owner), "ann@example.com"), &pools, facts);
        assert_eq!((shown.iter().map(|p| p.0).collect::<Vec<_>>(), hidden), (vec![1, 2], 1));
        let (shown, hidden) = visible_pools(&Reader::recipient(None, "bob@example.com"), &pools, facts);
        assert_eq!((shown.len(), hidden), (0, 3), "no login, no owned pool: nothing");
        let admin = admin_user();
        assert_eq!(visible_pools(&Reader::user(&admin), &pools, facts).1, 0);
    }
}
