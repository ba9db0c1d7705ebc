//! Conversions between Unix time and the protocol's dates (INTERNALDATE,
//! SEARCH dates), and from dates `mail-parser` read in `Date:` fields.

use imapkit_proto::{Date, DateTime};

/// The date-time `secs` seconds after the epoch, shown in the zone
/// `zone_minutes` east of UTC.
pub fn datetime_from_unix(secs: i64, zone_minutes: i16) -> DateTime {
    let local = secs + i64::from(zone_minutes) * 60;
    let days = local.div_euclid(86_400);
    let rem = local.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let fallback = || {
        // 1-Jan-1970 is valid: the result of an out-of-range year.
        DateTime::new(Date::new(1970, 1, 1).expect("valid date"), 0, 0, 0, 0)
            .expect("valid date-time")
    };
    let Ok(year) = u16::try_from(y) else {
        return fallback();
    };
    let Ok(date) = Date::new(year, m, d) else {
        return fallback();
    };
    DateTime::new(
        date,
        (rem / 3600) as u8,
        (rem % 3600 / 60) as u8,
        (rem % 60) as u8,
        zone_minutes,
    )
    .unwrap_or_else(|_| fallback())
}

/// The calendar date of `secs` in the zone `zone_minutes` east of UTC.
pub(crate) fn date_of(secs: i64, zone_minutes: i16) -> Date {
    datetime_from_unix(secs, zone_minutes).date()
}

/// Days since the epoch to (year, month, day), Howard Hinnant's algorithm.
fn civil_from_days(z: i64) -> (i64, u8, u8) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A `Date:` field value as mail-parser read it: seconds since the epoch and
/// the sender's calendar date (SENTBEFORE/SENTON/SENTSINCE compare the date
/// in the sender's zone, RFC 9051 §6.4.4).
pub(crate) fn from_header(d: &mail_parser::DateTime) -> Option<(i64, Date)> {
    let date = Date::new(d.year, d.month, d.day).ok()?;
    let zone = i64::from(d.tz_hour) * 60 + i64::from(d.tz_minute);
    let zone = if d.tz_before_gmt { -zone } else { zone };
    let dt = DateTime::new(
        date,
        d.hour.min(23),
        d.minute.min(59),
        d.second.min(60),
        i16::try_from(zone).ok()?,
    )
    .ok()?;
    Some((dt.unix_timestamp(), date))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_round_trip() {
        for (secs, zone) in [
            (0, 0),
            (837_596_665, -420),
            (951_782_400, 60),
            (4_102_444_799, 0),
        ] {
            let dt = datetime_from_unix(secs, zone);
            assert_eq!(dt.unix_timestamp(), secs, "{secs} {zone}");
            assert_eq!(dt.zone_minutes(), zone);
        }
        let dt = datetime_from_unix(837_596_665, -420);
        assert_eq!(
            (dt.date().year(), dt.date().month(), dt.date().day()),
            (1996, 7, 17)
        );
        assert_eq!((dt.hour(), dt.minute(), dt.second()), (2, 44, 25));
    }
}
