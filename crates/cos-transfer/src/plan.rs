//! Part sizing: how an object of a given size is cut into numbered parts.

/// Default part size: 8 MiB, doubled as often as needed to stay within [`MAX_PARTS`].
pub const DEFAULT_PART_SIZE: u64 = 8 * 1024 * 1024;
/// The most parts a multipart upload may have.
pub const MAX_PARTS: u32 = 10_000;
/// The largest part COS accepts: 5 GiB.
pub const MAX_PART_SIZE: u64 = 5 * 1024 * 1024 * 1024;

/// The object is too large to be cut into at most [`MAX_PARTS`] parts of at most
/// [`MAX_PART_SIZE`] bytes (more than about 48.8 TiB).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{size} bytes cannot be cut into at most {MAX_PARTS} parts of at most 5 GiB")]
pub struct PlanError {
    /// The object size.
    pub size: u64,
}

/// An object of `total` bytes cut into `count` parts of `part_size` bytes (the last one
/// shorter). Part numbers are 1-based, as COS numbers them; indexes are 0-based.
///
/// ```
/// use cos_transfer::PartPlan;
/// let plan = PartPlan::new(20 * 1024 * 1024 + 1, 8 * 1024 * 1024).unwrap();
/// assert_eq!(plan.count(), 3);
/// assert_eq!(plan.span(2), (16 * 1024 * 1024, 4 * 1024 * 1024 + 1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartPlan {
    total: u64,
    part_size: u64,
    count: u32,
}

impl PartPlan {
    /// Cuts `total` bytes into parts of `requested_part_size` bytes, doubling the part
    /// size until there are at most [`MAX_PARTS`] parts (a zero request means
    /// [`DEFAULT_PART_SIZE`]). An empty object has zero parts.
    ///
    /// COS needs every part but the last to be at least 1 MiB; smaller sizes are only
    /// useful against servers configured otherwise (the emulator, in tests).
    pub fn new(total: u64, requested_part_size: u64) -> Result<Self, PlanError> {
        let mut part_size = if requested_part_size == 0 {
            DEFAULT_PART_SIZE
        } else {
            requested_part_size.min(MAX_PART_SIZE)
        };
        while total.div_ceil(part_size) > u64::from(MAX_PARTS) {
            if part_size >= MAX_PART_SIZE {
                return Err(PlanError { size: total });
            }
            part_size = part_size.saturating_mul(2).min(MAX_PART_SIZE);
        }
        let count =
            u32::try_from(total.div_ceil(part_size)).map_err(|_| PlanError { size: total })?;
        Ok(Self {
            total,
            part_size,
            count,
        })
    }

    /// The plan a checkpoint recorded: exactly `part_size`, no growing. `None` if that
    /// size is zero or needs more than [`MAX_PARTS`] parts for `total`.
    pub fn exact(total: u64, part_size: u64) -> Option<Self> {
        if part_size == 0 || part_size > MAX_PART_SIZE {
            return None;
        }
        let count = total.div_ceil(part_size);
        if count > u64::from(MAX_PARTS) {
            return None;
        }
        Some(Self {
            total,
            part_size,
            count: u32::try_from(count).ok()?,
        })
    }

    /// The object size.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Bytes per part (all but the last).
    pub fn part_size(&self) -> u64 {
        self.part_size
    }

    /// Number of parts.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// `(offset, length)` of the part at `index` (0-based; part number `index + 1`).
    /// An index past the end gives an empty span at the end of the object.
    pub fn span(&self, index: u32) -> (u64, u64) {
        let offset = u64::from(index)
            .saturating_mul(self.part_size)
            .min(self.total);
        let len = self.part_size.min(self.total - offset);
        (offset, len)
    }

    /// The concurrency a transfer of this plan uses by default: one request per part,
    /// at most 8 — enough to fill a fast link, and memory stays at 8 × part size.
    pub fn default_concurrency(&self) -> usize {
        usize::try_from(self.count)
            .unwrap_or(usize::MAX)
            .clamp(1, 8)
    }

    /// The requests a transfer of this plan keeps in flight when `asked` for (the
    /// options' `concurrency`): `asked`, or the default for 0.
    pub fn concurrency(&self, asked: usize) -> usize {
        match asked {
            0 => self.default_concurrency(),
            n => n,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MIB: u64 = 1024 * 1024;

    #[test]
    fn exact_multiples_have_no_short_tail() {
        let plan = PartPlan::new(24 * MIB, 8 * MIB).unwrap();
        assert_eq!(plan.count(), 3);
        assert_eq!(plan.span(2), (16 * MIB, 8 * MIB));
    }

    #[test]
    fn empty_objects_have_no_parts() {
        let plan = PartPlan::new(0, 8 * MIB).unwrap();
        assert_eq!(plan.count(), 0);
        assert_eq!(plan.default_concurrency(), 1);
    }

    #[test]
    fn part_size_doubles_to_stay_within_ten_thousand_parts() {
        let plan = PartPlan::new(10_001 * MIB, MIB).unwrap();
        assert_eq!(plan.part_size(), 2 * MIB);
        assert_eq!(plan.count(), 5001);
        let exact = PartPlan::new(10_000 * MIB, MIB).unwrap();
        assert_eq!((exact.part_size(), exact.count()), (MIB, 10_000));
    }

    #[test]
    fn too_large_objects_are_refused() {
        assert!(PartPlan::new(u64::MAX, MIB).is_err());
        assert!(PartPlan::new(u64::from(MAX_PARTS) * MAX_PART_SIZE, 0).is_ok());
        assert!(PartPlan::new(u64::from(MAX_PARTS) * MAX_PART_SIZE + 1, 0).is_err());
    }

    #[test]
    fn exact_plans_refuse_what_new_would_grow() {
        assert!(PartPlan::exact(10_001 * MIB, MIB).is_none());
        assert!(PartPlan::exact(MIB, 0).is_none());
        assert_eq!(PartPlan::exact(3 * MIB, MIB).map(|p| p.count()), Some(3));
    }

    proptest! {
        #[test]
        fn spans_tile_the_object(total in 0u64..=u64::from(MAX_PARTS) * MAX_PART_SIZE, size in 0u64..=1 << 34) {
            let plan = PartPlan::new(total, size).unwrap();
            prop_assert!(plan.count() <= MAX_PARTS);
            prop_assert!(plan.part_size() <= MAX_PART_SIZE);
            let mut end = 0u64;
            for index in [0, plan.count() / 2, plan.count().saturating_sub(1)] {
                if index < plan.count() {
                    let (offset, len) = plan.span(index);
                    prop_assert_eq!(offset, u64::from(index) * plan.part_size());
                    prop_assert!(len > 0 && len <= plan.part_size());
                    end = end.max(offset + len);
                }
            }
            prop_assert_eq!(end, total);
        }
    }
}
