//! A logged command -> what the replay does with it: one of the engine's
//! command kinds (the row it is counted on), a login, STARTTLS (done by the
//! session's opening), or skipped as unknown. FETCH is told apart by what it
//! asks for by the rule the embedded server times it by
//! ([`crate::command::fetch_items`]).

use crate::command::{fetch_items, CommandKind};
use crate::plan::LoginMethod;

/// What the replay does with a logged command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Sent as this kind, its arguments re-made for the mailbox as it is.
    Replay(CommandKind),
    /// A login with the run user's credentials, by this method.
    Login(LoginMethod),
    /// STARTTLS: the session upgrades its connection before its commands.
    StartTls,
    /// No kind of the engine's: counted, skipped.
    Unknown,
}

impl Class {
    /// The row a command of this class is counted on in `replay.csv`
    /// (`None` for unknown commands, counted under their own verb).
    pub fn kind(self) -> Option<CommandKind> {
        match self {
            Class::Replay(k) => Some(k),
            Class::Login(LoginMethod::Login | LoginMethod::Mixed) => Some(CommandKind::Login),
            Class::Login(_) => Some(CommandKind::Authenticate),
            Class::StartTls => Some(CommandKind::StartTls),
            Class::Unknown => None,
        }
    }
}

/// Classifies `verb` (upper case, `UID X` joined) with its arguments.
pub fn classify(verb: &str, args: &str) -> Class {
    use CommandKind as K;
    let kind = match verb {
        "LOGIN" => return Class::Login(LoginMethod::Login),
        "AUTHENTICATE" => return Class::Login(authenticate(args)),
        "STARTTLS" => return Class::StartTls,
        "FETCH" => fetch_items::kind_of(fetch_items::parse(args)),
        "UID FETCH" => K::UidFetch,
        "SEARCH" => K::Search,
        "UID SEARCH" => K::UidSearch,
        "STORE" => K::Store,
        "UID STORE" => K::UidStore,
        "COPY" | "UID COPY" => K::Copy,
        "MOVE" | "UID MOVE" => K::Move,
        "EXPUNGE" => K::Expunge,
        "UID EXPUNGE" => K::UidExpunge,
        "LIST" if args.to_ascii_uppercase().ends_with(" RETURN (SPECIAL-USE)") => K::ListSpecialUse,
        // XLIST is Gmail's LIST with special-use flags, which LIST answers too.
        "XLIST" => K::List,
        other => match CommandKind::from_label(other) {
            Some(k) if k.mixable() || k == K::Logout => k,
            _ => return Class::Unknown,
        },
    };
    Class::Replay(kind)
}

/// AUTHENTICATE's mechanism as a login method: OAuth 2 ones as logged,
/// anything else (PLAIN, LOGIN, NTLM, GSSAPI) as PLAIN with the user's password.
fn authenticate(args: &str) -> LoginMethod {
    let mech = args.split(' ').next().unwrap_or("").to_ascii_uppercase();
    match mech.as_str() {
        "XOAUTH2" => LoginMethod::XOAuth2,
        "OAUTHBEARER" => LoginMethod::OAuthBearer,
        _ => LoginMethod::AuthenticatePlain,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cmd::{encode, EncodeInput};
    use crate::engine::mailbox::MailboxState;
    use crate::imap::encoder::CommandBuf;
    use rand::SeedableRng;

    /// Every kind the engine sends, encoded by the engine itself, is read
    /// back as that kind: a replayed imapload log counts on the same rows.
    #[test]
    fn the_engines_own_commands_classify_as_their_kind() {
        let mut mbox = MailboxState::with_scratch_seed(1);
        mbox.exists = 30;
        mbox.uid_next = 40;
        mbox.selected = true;
        mbox.scratch = Some(3);
        let msg = b"Subject: x\r\n\r\nbody\r\n".to_vec();
        let mut rng = rand::rngs::SmallRng::seed_from_u64(3);
        for kind in CommandKind::ALL
            .into_iter()
            .filter(|k| k.mixable() || *k == CommandKind::Logout)
        {
            let mut buf = CommandBuf::default();
            let input = EncodeInput {
                mbox: &mbox,
                mailbox: "INBOX",
                append_msg: &msg,
                literal_plus: false,
            };
            encode(kind, &input, &mut rng, &mut buf);
            let line = String::from_utf8_lossy(buf.as_bytes()).to_string();
            let line = line.lines().next().unwrap().to_string();
            let (_, verb, args) = crate::replay::event::split_command(&line).unwrap();
            assert_eq!(classify(&verb, &args), Class::Replay(kind), "{line}");
        }
    }

    #[test]
    fn fetches_of_other_clients_and_unknown_commands() {
        let f = |a: &str| classify("FETCH", a);
        assert_eq!(f("1:* (FLAGS)"), Class::Replay(CommandKind::FetchFlags));
        assert_eq!(
            f("5 (BODY.PEEK[HEADER.FIELDS (FROM)])"),
            Class::Replay(CommandKind::FetchHeaders)
        );
        assert_eq!(f("5 RFC822"), Class::Replay(CommandKind::FetchBody));
        assert_eq!(f("5 (BODY.PEEK[2])"), Class::Replay(CommandKind::FetchBody));
        assert_eq!(
            f("5 BODY.PEEK[]<0.1024>"),
            Class::Replay(CommandKind::FetchPartial)
        );
        assert_eq!(
            classify("XLIST", "\"\" *"),
            Class::Replay(CommandKind::List)
        );
        assert_eq!(classify("GETACL", "INBOX"), Class::Unknown);
        assert_eq!(classify("CONNECT", ""), Class::Unknown);
        assert_eq!(
            classify("AUTHENTICATE", "NTLM"),
            Class::Login(LoginMethod::AuthenticatePlain)
        );
    }
}
