//! Hands out users to sessions so that no user has two live sessions at once
//! (as long as there are more users than sessions), like real mail clients
//! that each own one mailbox.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use rand::Rng;

use crate::plan::User;

/// The user population of a run with an in-use flag per user.
#[derive(Debug)]
pub struct UserPool {
    users: Vec<User>,
    /// Index of each user's home back end in the run's back-end list.
    homes: Vec<u16>,
    in_use: Vec<AtomicBool>,
    /// Sessions that had to share a user because every user was busy.
    pub shared: AtomicU64,
    /// Sessions that waited because every user was busy (sharing not allowed).
    pub waited: AtomicU64,
}

/// A user checked out of the pool; give it back with [`UserPool::release`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    /// Index into the pool.
    pub index: usize,
    /// Whether this lease holds the user's in-use flag (false when shared).
    exclusive: bool,
}

impl UserPool {
    /// A pool over `users`; `backend_index` maps a back-end name to its index.
    /// Callers validated that every user's back end exists.
    pub fn new(users: Vec<User>, backend_index: impl Fn(&str) -> Option<u16>) -> Self {
        let homes = users
            .iter()
            .map(|u| backend_index(&u.backend).unwrap_or(0))
            .collect();
        let in_use = users.iter().map(|_| AtomicBool::new(false)).collect();
        UserPool {
            users,
            homes,
            in_use,
            shared: AtomicU64::new(0),
            waited: AtomicU64::new(0),
        }
    }

    /// Picks a random free user (probing from a random start). If all are
    /// busy: with `allow_shared`, shares a random one (counted); without it,
    /// `None` and the caller waits for a user to come free.
    pub fn try_acquire(&self, rng: &mut impl Rng, allow_shared: bool) -> Option<Lease> {
        let n = self.users.len();
        let start = rng.random_range(0..n);
        for i in 0..n {
            let index = (start + i) % n;
            if self.in_use[index]
                .compare_exchange(false, true, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
            {
                return Some(Lease {
                    index,
                    exclusive: true,
                });
            }
        }
        if !allow_shared {
            return None;
        }
        self.shared.fetch_add(1, Ordering::Relaxed);
        Some(Lease {
            index: start,
            exclusive: false,
        })
    }

    /// Like [`UserPool::try_acquire`] with sharing allowed: always gives a user.
    pub fn acquire(&self, rng: &mut impl Rng) -> Lease {
        let n = self.users.len();
        let start = rng.random_range(0..n);
        for i in 0..n {
            let index = (start + i) % n;
            if self.in_use[index]
                .compare_exchange(false, true, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
            {
                return Lease {
                    index,
                    exclusive: true,
                };
            }
        }
        self.shared.fetch_add(1, Ordering::Relaxed);
        Lease {
            index: start,
            exclusive: false,
        }
    }

    /// Returns a user to the pool.
    pub fn release(&self, lease: Lease) {
        if lease.exclusive {
            self.in_use[lease.index].store(false, Ordering::Release);
        }
    }

    /// The user behind a lease.
    pub fn user(&self, lease: Lease) -> &User {
        &self.users[lease.index]
    }

    /// The user at pool index `index` and its home back end index, without a
    /// lease: a replayed session is the logged user's, however many of its
    /// sessions overlap.
    pub fn at(&self, index: usize) -> (&User, u16) {
        (&self.users[index], self.homes[index])
    }

    /// Number of users.
    pub fn len(&self) -> usize {
        self.users.len()
    }

    /// Whether the pool is empty (plans never give an empty one).
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    /// The home back end index of a leased user.
    pub fn home(&self, lease: Lease) -> u16 {
        self.homes[lease.index]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// A pool of `n` users, all on the first back end.
    fn pool_of(n: usize) -> UserPool {
        let users = (0..n)
            .map(|i| User {
                name: format!("u{i}"),
                password: "p".into(),
                backend: "mbx1".into(),
                token: None,
            })
            .collect();
        UserPool::new(users, |_| Some(0))
    }

    #[test]
    fn no_user_twice_until_exhausted() {
        let pool = pool_of(10);
        let mut rng = rand::rngs::SmallRng::seed_from_u64(7);
        let leases: Vec<_> = (0..10).map(|_| pool.acquire(&mut rng)).collect();
        let mut idx: Vec<_> = leases.iter().map(|l| l.index).collect();
        idx.sort();
        idx.dedup();
        assert_eq!(idx.len(), 10);
        let extra = pool.acquire(&mut rng);
        assert_eq!(pool.shared.load(Ordering::Relaxed), 1);
        pool.release(extra);
        pool.release(leases[3]);
        assert_eq!(pool.acquire(&mut rng).index, leases[3].index);
    }

    #[test]
    fn without_sharing_a_busy_population_gives_no_user() {
        let pool = pool_of(2);
        let mut rng = rand::rngs::SmallRng::seed_from_u64(3);
        let a = pool.try_acquire(&mut rng, false).unwrap();
        let b = pool.try_acquire(&mut rng, false).unwrap();
        assert_ne!(a.index, b.index);
        assert!(pool.try_acquire(&mut rng, false).is_none());
        assert!(
            pool.try_acquire(&mut rng, true).is_some(),
            "sharing allowed"
        );
        pool.release(a);
        assert_eq!(pool.try_acquire(&mut rng, false).unwrap().index, a.index);
    }
}
