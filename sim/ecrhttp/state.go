package ecrhttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ecrsign/ecrsign/sim"
)

// errStopped is what commits get once the state file is closed.
var errStopped = errors.New("the server is stopping: the state file takes no more changes")

// stateFile keeps a world saved in a file. Commit returns once a save that began after the
// caller's change has reached the disk; concurrent commits share saves (group commit), so a
// burst of changes costs a few saves, not one each.
//
// A save writes the whole world to a temporary file in the same directory, fsyncs it,
// renames it over the state file and fsyncs the directory, so the state file is always a
// complete world: the old one or the new one, never a mix.
type stateFile struct {
	path  string
	world *sim.World
	clock *Clock

	mu        sync.Mutex
	cond      sync.Cond
	requested uint64 // commits asked for
	saved     uint64 // commits covered by the last successful save
	saving    bool
	stopped   bool
	buf       bytes.Buffer
}

func newStateFile(path string, world *sim.World, clock *Clock) *stateFile {
	s := &stateFile{path: path, world: world, clock: clock}
	s.cond.L = &s.mu
	return s
}

// Commit saves the world, or waits for a save that began after this call, and reports
// whether the world as of this call is on disk.
func (s *stateFile) Commit() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requested++
	mine := s.requested
	for {
		switch {
		case s.saved >= mine:
			return nil
		case s.stopped:
			return errStopped
		case !s.saving:
			if err := s.saveLocked(); err != nil {
				return err
			}
			continue
		}
		s.cond.Wait()
	}
}

// saveLocked writes the world with s.mu released during the write; s.mu held on entry and exit.
func (s *stateFile) saveLocked() error {
	s.saving = true
	covers := s.requested // every change counted so far is in the world already
	s.mu.Unlock()
	err := s.write()
	s.mu.Lock()
	s.saving = false
	if err == nil && covers > s.saved {
		s.saved = covers
	}
	s.cond.Broadcast()
	return err
}

// Stop waits for a save in progress and makes later commits fail, as if the process had died
// at this instant: nothing more reaches the file.
func (s *stateFile) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.saving {
		s.cond.Wait()
	}
	s.stopped = true
	s.cond.Broadcast()
}

// write saves the world atomically; called by one goroutine at a time.
func (s *stateFile) write() error {
	data, err := encodeWorld(&s.buf, s.world, s.clock)
	if err != nil {
		return fmt.Errorf("state file %s: encoding the world: %w", s.path, err)
	}
	if err := writeAtomic(s.path, data); err != nil {
		return fmt.Errorf("state file %s: %w", s.path, err)
	}
	return nil
}

// encodeWorld writes the world in the world file format into buf and returns the bytes; a
// frozen clock is saved as the file's "now", so that loading the file freezes it again.
func encodeWorld(buf *bytes.Buffer, world *sim.World, clock *Clock) ([]byte, error) {
	buf.Reset()
	if err := world.Save(buf); err != nil {
		return nil, err
	}
	data := buf.Bytes()
	if clock != nil {
		if t, frozen := clock.Frozen(); frozen {
			data = withNow(data, t)
		}
	}
	return data, nil
}

// withNow adds the world file's "now" member (a frozen clock) to a saved world, which
// sim.World.Save writes only for a sim.ManualClock.
func withNow(world []byte, t time.Time) []byte {
	rest, ok := bytes.CutPrefix(world, []byte("{"))
	if !ok {
		return world
	}
	now, _ := json.Marshal(t)
	out := make([]byte, 0, len(world)+len(now)+16)
	out = append(out, "{\n  \"now\": "...)
	out = append(out, now...)
	out = append(out, ',')
	return append(out, rest...)
}

// tempPattern names the temporary files of a state file: "<base>.tmp-<random>".
func tempPattern(path string) string { return filepath.Base(path) + ".tmp-*" }

// writeAtomic replaces path with data: temporary file in the same directory, fsync, rename,
// fsync of the directory.
func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, tempPattern(path))
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable. File systems that cannot sync a directory are
// tolerated.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, fs.ErrInvalid) && !errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("syncing directory %s: %w", dir, err)
	}
	return nil
}

// StateError reports a state file that cannot be used: unreadable, torn or corrupt. The file
// is left as it is.
type StateError struct {
	Path string
	Err  error
}

func (e *StateError) Error() string {
	return fmt.Sprintf("state file %s: %v; the file was left unchanged: repair it, restore it from a backup, or move it away to start from --world", e.Path, e.Err)
}

func (e *StateError) Unwrap() error { return e.Err }

// loadWorld builds the world a server starts with: the state file when it exists, else the
// world file, else the defaults; on the clock returned. A world file (or state file) with
// "now" starts frozen at that time.
func loadWorld(worldFile, stateFile string) (w *sim.World, clock *Clock, fromState bool, err error) {
	path := worldFile
	if stateFile != "" {
		switch _, err := os.Stat(stateFile); {
		case err == nil:
			path, fromState = stateFile, true
		case !errors.Is(err, fs.ErrNotExist):
			return nil, nil, false, &StateError{Path: stateFile, Err: err}
		}
	}
	if path == "" {
		clock = NewClock()
		return sim.New(sim.WithClock(clock)), clock, false, nil
	}
	data, err := os.ReadFile(path)
	if err == nil && fromState && len(bytes.TrimSpace(data)) == 0 {
		err = errors.New("the file is empty (a torn write?)")
	}
	if err == nil {
		w, clock, err = decodeWorld(data)
		if err != nil && fromState && !json.Valid(data) {
			err = fmt.Errorf("not a complete JSON document, as a torn or corrupted write leaves: %w", err)
		}
	}
	if err != nil {
		if fromState {
			return nil, nil, false, &StateError{Path: path, Err: err}
		}
		return nil, nil, false, fmt.Errorf("%s: %w", path, err)
	}
	return w, clock, fromState, nil
}

func decodeWorld(data []byte) (*sim.World, *Clock, error) {
	var head struct {
		Now *time.Time `json:"now"`
	}
	clock := NewClock()
	if json.Unmarshal(data, &head) == nil && head.Now != nil {
		clock = NewFrozenClock(*head.Now)
	}
	w, err := sim.Load(bytes.NewReader(data), sim.WithClock(clock))
	if err != nil {
		return nil, nil, err
	}
	return w, clock, nil
}

// staleTemps lists temporary files a crash during a save left beside the state file.
func staleTemps(stateFile string) []string {
	m, _ := filepath.Glob(filepath.Join(filepath.Dir(stateFile), tempPattern(stateFile)))
	return m
}
