//! Dates (`date`, RFC 9051 §9, used in SEARCH) and date-times (`date-time`,
//! used in INTERNALDATE and APPEND).

use crate::error::ValidationError;

/// Month names as the grammar spells them (`date-month`).
pub const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A calendar date such as `1-Feb-1994`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// A date; the day must exist in that month (leap years included) and the
    /// year has four digits.
    pub fn new(year: u16, month: u8, day: u8) -> Result<Self, ValidationError> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) || day == 0 {
            return Err(ValidationError::OutOfRange { what: "date" });
        }
        if day > days_in_month(year, month) {
            return Err(ValidationError::OutOfRange { what: "date" });
        }
        Ok(Self { year, month, day })
    }

    /// Year (1..=9999).
    pub fn year(&self) -> u16 {
        self.year
    }
    /// Month (1..=12).
    pub fn month(&self) -> u8 {
        self.month
    }
    /// Day of the month (1..=31).
    pub fn day(&self) -> u8 {
        self.day
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// A `date-time` such as `17-Jul-1996 02:44:25 -0700`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateTime {
    date: Date,
    hour: u8,
    minute: u8,
    second: u8,
    zone_minutes: i16,
}

impl DateTime {
    /// A date-time with a zone offset in minutes east of UTC (`-0700` is -420).
    pub fn new(
        date: Date,
        hour: u8,
        minute: u8,
        second: u8,
        zone_minutes: i16,
    ) -> Result<Self, ValidationError> {
        // `zone` is 4 digits HHMM with minutes below 60.
        if hour > 23 || minute > 59 || second > 60 || zone_minutes.unsigned_abs() > 99 * 60 + 59 {
            return Err(ValidationError::OutOfRange { what: "date-time" });
        }
        Ok(Self {
            date,
            hour,
            minute,
            second,
            zone_minutes,
        })
    }

    /// The date.
    pub fn date(&self) -> Date {
        self.date
    }
    /// Hour (0..=23).
    pub fn hour(&self) -> u8 {
        self.hour
    }
    /// Minute (0..=59).
    pub fn minute(&self) -> u8 {
        self.minute
    }
    /// Second (0..=60, leap second allowed).
    pub fn second(&self) -> u8 {
        self.second
    }
    /// Offset from UTC in minutes.
    pub fn zone_minutes(&self) -> i16 {
        self.zone_minutes
    }

    /// Seconds since the Unix epoch (UTC).
    pub fn unix_timestamp(&self) -> i64 {
        let d = &self.date;
        // Days from civil, Howard Hinnant's algorithm.
        let y = d.year as i64 - i64::from(d.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = d.month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d.day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        days * 86_400 + self.hour as i64 * 3600 + self.minute as i64 * 60 + self.second as i64
            - self.zone_minutes as i64 * 60
    }
}

crate::impl_into_static_copy!(Date, DateTime);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_dates() {
        assert!(Date::new(2024, 2, 29).is_ok());
        assert!(Date::new(2023, 2, 29).is_err());
        assert!(Date::new(1900, 2, 29).is_err());
        assert!(Date::new(2000, 2, 29).is_ok());
        assert!(Date::new(2020, 13, 1).is_err());
        assert!(Date::new(2020, 4, 31).is_err());
    }

    #[test]
    fn unix_timestamp() {
        let d = DateTime::new(Date::new(1996, 7, 17).unwrap(), 2, 44, 25, -420).unwrap();
        assert_eq!(d.unix_timestamp(), 837_596_665);
        let e = DateTime::new(Date::new(1970, 1, 1).unwrap(), 0, 0, 0, 0).unwrap();
        assert_eq!(e.unix_timestamp(), 0);
    }
}
