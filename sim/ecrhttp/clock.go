package ecrhttp

import (
	"fmt"
	"sync"
	"time"

	"github.com/ecrsign/ecrsign/sim"
)

// Clock is the simulated clock of a served world: it follows real time, shifted by what
// operators advanced it, until it is frozen; a frozen clock moves only when advanced or set.
// It never runs backward. It implements sim.Clock and is safe for concurrent use.
type Clock struct {
	mu     sync.Mutex
	real   func() time.Time
	frozen bool
	at     time.Time     // the time while frozen
	offset time.Duration // added to real time while running
}

// NewClock returns a clock that follows real time.
func NewClock() *Clock { return &Clock{real: time.Now} }

// NewFrozenClock returns a clock frozen at t.
func NewFrozenClock(t time.Time) *Clock { return &Clock{real: time.Now, frozen: true, at: t} }

// Now returns the simulated time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now()
}

func (c *Clock) now() time.Time {
	if c.frozen {
		return c.at
	}
	return c.real().Add(c.offset)
}

// ClockState reports the clock's state for a saved world (sim.ClockStater): frozen and the
// time it shows, or running and its offset from real time. sim.World.Save writes it as the
// world file's "now" or "clockOffset", and [Serve] restores it from the state file.
func (c *Clock) ClockState() (frozen bool, now time.Time, offset time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.frozen, c.now(), c.offset
}

// clockFrom returns a Clock in the state of a world's clock (sim.ClockStater): frozen at its
// time, or following real time shifted by its offset; a clock without state follows real
// time.
func clockFrom(c sim.Clock) *Clock {
	if own, ok := c.(*Clock); ok {
		return own
	}
	clock := NewClock()
	if cs, ok := c.(sim.ClockStater); ok {
		frozen, now, offset := cs.ClockState()
		if frozen {
			return NewFrozenClock(now)
		}
		clock.offset = offset
	}
	return clock
}

// Frozen reports whether the clock is frozen, and the time it shows.
func (c *Clock) Frozen() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now(), c.frozen
}

// Freeze stops the clock at the current simulated time; statuses stop settling.
func (c *Clock) Freeze() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.frozen {
		c.at, c.frozen = c.now(), true
	}
}

// Resume lets a frozen clock run again from the time it shows.
func (c *Clock) Resume() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		c.offset = c.at.Sub(c.real())
		c.frozen = false
	}
}

// Advance moves the clock forward by d (frozen or not); a negative d is an error.
func (c *Clock) Advance(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("cannot advance the clock by %v: the simulated clock never runs backward", d)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		c.at = c.at.Add(d)
	} else {
		c.offset += d
	}
	return nil
}

// Set moves the clock to t, which must not be before the time it shows.
func (c *Clock) Set(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if t.Before(now) {
		return fmt.Errorf("cannot set the clock to %s: it shows %s and never runs backward", t.Format(time.RFC3339Nano), now.Format(time.RFC3339Nano))
	}
	if c.frozen {
		c.at = t
	} else {
		c.offset += t.Sub(now)
	}
	return nil
}
