//! Queue-depth figures of one server over one interval (`queue.csv`,
//! `timeseries.csv`), and one reading of an embedded server's own queue.

/// Queue-depth figures of one server over one interval.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct QueueStats {
    /// Readings taken.
    pub samples: u32,
    /// Sum of the readings (mean = sum / samples).
    pub sum: u64,
    /// Highest reading.
    pub max: u64,
    /// The server's own queue (commands waiting for a worker), summed over
    /// the same readings; `None` for servers that do not report one.
    pub own_sum: Option<u64>,
    /// Highest own-queue reading.
    pub own_max: Option<u64>,
    /// The server's commands in service (holding a worker), summed.
    pub own_busy_sum: Option<u64>,
}

impl QueueStats {
    /// Mean modelled depth over the interval.
    pub fn mean(&self) -> f64 {
        if self.samples == 0 {
            0.0
        } else {
            self.sum as f64 / self.samples as f64
        }
    }

    /// Mean of the server's own queue, when it reports one.
    pub fn own_mean(&self) -> Option<f64> {
        self.own_sum.map(|s| {
            if self.samples == 0 {
                0.0
            } else {
                s as f64 / self.samples as f64
            }
        })
    }

    /// Adds one reading.
    pub fn add(&mut self, depth: u64, own: Option<OwnReading>) {
        self.samples += 1;
        self.sum += depth;
        self.max = self.max.max(depth);
        if let Some(OwnReading { queued, busy }) = own {
            self.own_sum = Some(self.own_sum.unwrap_or(0) + queued);
            self.own_max = Some(self.own_max.unwrap_or(0).max(queued));
            self.own_busy_sum = Some(self.own_busy_sum.unwrap_or(0) + busy);
        }
    }
}

/// One reading of an embedded server's own queue, to check the model against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnReading {
    /// Commands waiting for a worker.
    pub queued: u64,
    /// Commands in service (busy workers).
    pub busy: u64,
}
