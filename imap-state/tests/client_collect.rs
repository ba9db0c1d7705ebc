//! `client::Collector`: pipelined commands each get their own data and
//! completion out of one event stream; everything else comes back to the
//! application (the user-tasks review's second friction, stop 33).

mod util;

use imapkit_state::client::{Collector, Event};
use imapkit_state::proto::{Data, SearchReturnData};
use util::client::{cmd, selected};

/// Offers every event; returns those the collector gave back.
fn offer_all(answers: &mut Collector, events: Vec<Event>) -> Vec<Event> {
    events
        .into_iter()
        .filter_map(|e| answers.offer(e))
        .collect()
}

fn fetched_seqs(data: &[Data<'static>]) -> Vec<u32> {
    data.iter()
        .map(|d| match d {
            Data::Fetch { seq, .. } => seq.get(),
            other => panic!("{other:?}"),
        })
        .collect()
}

/// Two FETCHes of FLAGS in flight with disjoint sets, and another
/// session's flag change on a message neither asked for: each FETCH gets
/// its own responses, the change comes back to the application.
#[test]
fn pipelined_fetches_each_get_their_own_responses() {
    let mut s = selected("IMAP4rev1");
    let mut answers = Collector::new();
    let a = s.client.enqueue(s.now, cmd(b"FETCH 1:2 (FLAGS)")).unwrap();
    let b = s.client.enqueue(s.now, cmd(b"FETCH 3:4 (FLAGS)")).unwrap();
    answers.watch(a);
    answers.watch(b);
    assert_eq!(s.sent(), "A2 FETCH 1:2 (FLAGS)\r\nA3 FETCH 3:4 (FLAGS)\r\n");
    s.server(
        b"* 3 FETCH (FLAGS (\\Seen))\r\n* 1 FETCH (FLAGS ())\r\n* 5 FETCH (FLAGS (\\Flagged))\r\n\
          * 4 FETCH (FLAGS ())\r\nA3 OK done\r\n* 2 FETCH (FLAGS (\\Seen))\r\nA2 OK done\r\n",
    );
    let rest = offer_all(&mut answers, s.events());
    // Message 5's change: not an answer of either; the model's change too.
    assert!(
        rest.iter().any(|e| matches!(
            e,
            Event::Data {
                handle: None,
                data: Data::Fetch { seq, .. }
            } if seq.get() == 5
        )),
        "{rest:?}"
    );
    assert!(!rest.iter().any(|e| matches!(e, Event::Completed(_))));
    let (done_b, data_b) = answers.take(b).expect("b completed");
    let (done_a, data_a) = answers.take(a).expect("a completed");
    assert!(done_a.is_ok() && done_b.is_ok());
    assert_eq!(fetched_seqs(&data_a), [1, 2]);
    assert_eq!(fetched_seqs(&data_b), [3, 4]);
    assert!(answers.is_empty());
}

/// IMAP4rev2: two SEARCHes in flight, their ESEARCHes told apart by
/// `(TAG ...)` (RFC 9051 §7.3.4); an unwatched command's answers pass by.
#[test]
fn pipelined_searches_each_get_their_esearch() {
    let mut s = selected("IMAP4rev2");
    let mut answers = Collector::new();
    let a = s.client.enqueue(s.now, cmd(b"UID SEARCH UNSEEN")).unwrap();
    let b = s.client.enqueue(s.now, cmd(b"UID SEARCH FLAGGED")).unwrap();
    let c = s.client.enqueue(s.now, cmd(b"NOOP")).unwrap();
    answers.watch(a);
    answers.watch(b);
    s.sent();
    s.server(
        b"* ESEARCH (TAG \"A3\") UID ALL 7\r\n* ESEARCH (TAG \"A2\") UID ALL 4:5\r\n\
          A2 OK done\r\nA3 OK done\r\n* 6 EXISTS\r\nA4 OK done\r\n",
    );
    let rest = offer_all(&mut answers, s.events());
    assert!(
        rest.iter()
            .any(|e| matches!(e, Event::Completed(d) if d.handle == c)),
        "{rest:?}"
    );
    let all = |data: Vec<Data<'static>>| match &data[..] {
        [Data::ESearch(e)] => match &e.data[..] {
            [SearchReturnData::All(set)] => set.to_string(),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    };
    assert_eq!(all(answers.take(a).unwrap().1), "4:5");
    assert_eq!(all(answers.take(b).unwrap().1), "7");
}

/// Before its completion a watched command gives nothing; a forgotten one
/// gives its events back; a completion comes once.
#[test]
fn take_waits_for_the_completion_and_forget_lets_go() {
    let mut s = selected("IMAP4rev1");
    let mut answers = Collector::new();
    let a = s.client.enqueue(s.now, cmd(b"FETCH 1 (FLAGS)")).unwrap();
    let b = s.client.enqueue(s.now, cmd(b"FETCH 2 (FLAGS)")).unwrap();
    answers.watch(a);
    answers.watch(b);
    s.sent();
    // `CommandSent` is not an answer: it comes back.
    let sent = offer_all(&mut answers, s.events());
    assert!(sent.iter().all(|e| matches!(e, Event::CommandSent { .. })));
    s.server(b"* 1 FETCH (FLAGS ())\r\n");
    let rest = offer_all(&mut answers, s.events());
    assert!(rest.is_empty(), "{rest:?}");
    assert!(!answers.is_done(a));
    assert!(answers.take(a).is_none());
    answers.forget(b);
    s.server(b"* 2 FETCH (FLAGS ())\r\nA3 OK done\r\nA2 OK done\r\n");
    let rest = offer_all(&mut answers, s.events());
    assert_eq!(rest.len(), 2, "b's data and completion: {rest:?}");
    assert!(answers.is_done(a));
    let (done, data) = answers.take(a).unwrap();
    assert_eq!((done.handle, fetched_seqs(&data)), (a, vec![1]));
    assert!(answers.take(a).is_none());
    assert_eq!(answers.len(), 0);
}
