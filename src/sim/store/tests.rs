//! The store's login and account-building rules.

use super::*;

fn users() -> Vec<User> {
    (1..=3)
        .map(|i| User {
            name: format!("u{i}"),
            password: format!("p{i}"),
            backend: if i == 3 { "mbx2" } else { "mbx1" }.into(),
            token: None,
        })
        .collect()
}

#[test]
fn login_checks_home_and_password_and_is_deterministic() {
    let s = Store::new("mbx1", &users(), 9, 20, 2000);
    assert!(s.login("u1", "bad").is_err());
    assert!(s.login("u3", "p3").is_err(), "homed on mbx2");
    let a = s.login("u1", "p1").unwrap();
    assert!(Arc::ptr_eq(&a, &s.login("u1", "p1").unwrap()));
    let inbox = a.folder("inbox").unwrap().lock();
    assert_eq!(inbox.messages.len(), 20);
    assert_eq!(inbox.uid_next, 21);
    let m = &inbox.messages[4];
    assert_eq!(s.bytes("u1", m).len(), m.size as usize);
    let other = Store::new("mbx1", &users(), 9, 20, 2000);
    let b = other.login("u1", "p1").unwrap();
    let m2 = &b.folders[0].lock().messages[4];
    assert_eq!(s.bytes("u1", m), other.bytes("u1", m2));
    assert_eq!(a.folders.len(), FOLDERS.len());
    assert_eq!(a.create("inbox"), Err(FolderError::Fixed));
    assert_eq!(a.rename("Archive", "x"), Err(FolderError::Fixed));
    assert_eq!(a.delete("Trash"), Err(FolderError::Fixed));
}
