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

	mu        sync.Mutex
	cond      sync.Cond
	requested uint64 // commits asked for
	saved     uint64 // commits covered by the last successful save
	saving    bool
	stopped   bool
	buf       bytes.Buffer
}

func newStateFile(path string, world *sim.World) *stateFile {
	s := &stateFile{path: path, world: world}
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
	s.buf.Reset()
	if err := s.world.SaveCompact(&s.buf); err != nil {
		return fmt.Errorf("state file %s: encoding the world: %w", s.path, err)
	}
	if err := writeAtomic(s.path, s.buf.Bytes()); err != nil {
		return fmt.Errorf("state file %s: %w", s.path, err)
	}
	return nil
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
// "now" starts frozen at that time, one with "clockOffset" running that far from real time.
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

// decodeWorld loads a world and puts it on a Clock in the state the file saved ("now": frozen
// there; "clockOffset": running, shifted by the offset; neither: following real time).
func decodeWorld(data []byte) (*sim.World, *Clock, error) {
	w, err := sim.Load(bytes.NewReader(data))
	if err != nil {
		return nil, nil, err
	}
	clock := clockFrom(w.Clock())
	w.SetClock(clock)
	return w, clock, nil
}

// staleTemps lists temporary files a crash during a save left beside the state file.
func staleTemps(stateFile string) []string {
	m, _ := filepath.Glob(filepath.Join(filepath.Dir(stateFile), tempPattern(stateFile)))
	return m
}
