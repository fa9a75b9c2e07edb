package sim

import (
	"fmt"
	"sync"
	"time"
)

// Bounds of the simulated clock: every instant it shows, and every instant a job or a tag
// move computes from it, stays in the years a world file and the store can hold (RFC 3339,
// years 0001 to 9999). MaxLatency bounds a job latency so that an instant plus a latency
// stays inside too.
var (
	MinClockTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxClockTime = time.Date(9000, 1, 1, 0, 0, 0, 0, time.UTC)
)

// maxOffset is how far a running clock can be from real time: the range of a Duration.
const maxOffset = time.Duration(1<<63 - 1)

// MaxLatency bounds Options.SigningLatency and Options.ReplicationLatency.
const MaxLatency = 100 * 365 * 24 * time.Hour

// Clock is the world's clock. A running clock follows real time shifted by an offset; a
// frozen one shows one instant until it is moved. It never runs backward, and never leaves
// [MinClockTime, MaxClockTime]: a move that would is refused with an error and changes
// nothing. It is safe for concurrent use.
type Clock struct {
	mu     sync.Mutex
	real   func() time.Time
	frozen bool
	at     time.Time     // the instant shown while frozen
	offset time.Duration // added to real time while running
}

// NewClock returns a clock that follows real time.
func NewClock() *Clock { return &Clock{real: time.Now} }

// NewFrozenClock returns a clock frozen at t.
func NewFrozenClock(t time.Time) *Clock { return &Clock{real: time.Now, frozen: true, at: t} }

// ClockState is what a world file and the store hold of a clock: frozen at Now, or running
// Offset away from real time.
type ClockState struct {
	Frozen bool
	Now    time.Time
	Offset time.Duration
}

// Now returns the time the clock shows.
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

// State returns the clock's state.
func (c *Clock) State() ClockState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return ClockState{Frozen: c.frozen, Now: c.now(), Offset: c.offset}
}

// ClockChange is one change of a clock, applied in the order freeze (or resume), set,
// advance. The zero value changes nothing.
type ClockChange struct {
	Freeze  *bool      // true freezes the clock at the time it shows, false lets it run on
	Set     *time.Time // moves the clock to this instant, which must not be before now
	Advance time.Duration
}

// Change applies ch whole or not at all: it is refused, and the clock left as it was, when
// it would move the clock backward or outside [MinClockTime, MaxClockTime].
func (c *Clock) Change(ch ClockChange) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	next, err := c.changed(ch)
	if err != nil {
		return err
	}
	c.frozen, c.at, c.offset = next.frozen, next.at, next.offset
	return nil
}

// changed returns the clock ch would make, without its lock; c.mu held.
func (c *Clock) changed(ch ClockChange) (*Clock, error) {
	n := &Clock{real: c.real, frozen: c.frozen, at: c.at, offset: c.offset}
	now := n.now()
	if ch.Freeze != nil {
		switch {
		case *ch.Freeze && !n.frozen:
			n.at, n.frozen = now, true
		case !*ch.Freeze && n.frozen:
			real := n.real()
			n.offset, n.frozen = n.at.Sub(real), false
			if !real.Add(n.offset).Equal(n.at) { // Sub saturated
				return nil, fmt.Errorf("cannot let the clock run from %s: a running clock stays within %v of real time; keep it frozen", n.at.Format(time.RFC3339Nano), maxOffset)
			}
		}
	}
	target := now
	if ch.Set != nil {
		if ch.Set.Before(now) {
			return nil, fmt.Errorf("cannot set the clock to %s: it shows %s and never runs backward", ch.Set.Format(time.RFC3339Nano), now.Format(time.RFC3339Nano))
		}
		target = *ch.Set
	}
	if d := ch.Advance; d < 0 {
		return nil, fmt.Errorf("cannot advance the clock by %v: the simulated clock never runs backward", d)
	} else if MaxClockTime.Sub(target) < d {
		return nil, fmt.Errorf("cannot advance the clock by %v from %s: the latest instant the simulator holds is %s", d, target.Format(time.RFC3339Nano), MaxClockTime.Format(time.RFC3339))
	}
	target = target.Add(ch.Advance)
	if target.After(MaxClockTime) || target.Before(MinClockTime) {
		return nil, fmt.Errorf("cannot move the clock to %s: the simulator holds instants from %s to %s", target.Format(time.RFC3339Nano), MinClockTime.Format(time.RFC3339), MaxClockTime.Format(time.RFC3339))
	}
	if n.frozen {
		n.at = target
		return n, nil
	}
	delta := target.Sub(now) // >= 0
	offset := n.offset + delta
	if !now.Add(delta).Equal(target) || offset < n.offset {
		return nil, fmt.Errorf("cannot move a running clock to %s: a running clock stays within %v of real time; freeze it first", target.Format(time.RFC3339Nano), maxOffset)
	}
	n.offset = offset
	return n, nil
}

// Advance moves the clock forward by d (frozen or not); see [Clock.Change].
func (c *Clock) Advance(d time.Duration) error { return c.Change(ClockChange{Advance: d}) }

// Set moves the clock to t, which must not be before the time it shows; see [Clock.Change].
func (c *Clock) Set(t time.Time) error { return c.Change(ClockChange{Set: &t}) }
