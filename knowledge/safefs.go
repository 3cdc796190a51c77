package knowledge

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"sync"
	"syscall"
)

// A knowledge folder reaches replicas through git-sync and volume mounts,
// so what is in it is not always a file someone wrote: a committed symlink
// to /proc/self/fd/1 is a pipe under Docker, and reading a named pipe or a
// device blocks forever. Loading therefore opens only regular files (and
// directories) that lie inside the folder.

// errNotRegular is the error for an entry that is neither a regular file
// nor a directory.
var errNotRegular = errors.New("not a regular file")

// kindOf names a file mode for messages: "named pipe", "device", ...
func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "device"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeSymlink != 0:
		return "symlink"
	}
	return "special file"
}

func notRegular(op, name string, m fs.FileMode) error {
	return &fs.PathError{Op: op, Path: name, Err: fmt.Errorf("%w (%s); only regular files are loaded", errNotRegular, kindOf(m))}
}

// openRegular opens name in fsys only if it is a regular file. It looks
// before opening (opening a named pipe blocks until a writer appears) and
// again at what it opened. LoadDir's folder (rootFS) does better still: it
// opens without blocking.
func openRegular(fsys fs.FS, name string) (fs.File, error) {
	fi, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, notRegular("open", name, fi.Mode())
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	if fi, err = f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		if err == nil {
			err = notRegular("open", name, fi.Mode())
		}
		return nil, err
	}
	return f, nil
}

// rootFS is a knowledge folder opened with os.Root: symlinks are followed
// only while they stay inside the folder, files are opened without
// blocking and only regular files and directories are returned. Entries
// that cannot be loaded are left out of directory listings and noted as
// warnings (skipped), so one bad entry in topics/ does not stop the rest
// of the knowledge base from loading.
type rootFS struct {
	root *os.Root

	mu      sync.Mutex
	skipped Problems
}

func openRootFS(dir string) (*rootFS, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &rootFS{root: r}, nil
}

func (r *rootFS) Close() error { return r.root.Close() }

// Open opens name with O_NONBLOCK, so a named pipe or a device that
// appeared after a listing cannot block, and refuses what is not a regular
// file or a directory.
func (r *rootFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f, err := r.root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if m := fi.Mode(); !m.IsRegular() && !m.IsDir() {
		f.Close()
		return nil, notRegular("open", name, m)
	}
	return f, nil
}

// Stat follows symlinks inside the folder only.
func (r *rootFS) Stat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrInvalid}
	}
	return r.root.Stat(name)
}

// ReadDir lists name, leaving out (with a warning) every entry that is not
// a directory or a regular file once symlinks inside the folder are
// followed: named pipes, devices, sockets and symlinks that leave the
// folder or lead nowhere.
func (r *rootFS) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(r.root.FS(), name)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(entries, func(e fs.DirEntry) bool {
		if e.Type().IsRegular() || e.IsDir() {
			return false
		}
		p := path.Join(name, e.Name())
		msg := ""
		switch fi, err := r.root.Stat(p); {
		case err != nil:
			msg = "symlink that leaves the knowledge folder or leads nowhere; only files inside it are loaded; ignored"
		case !fi.Mode().IsRegular() && !fi.IsDir():
			msg = fmt.Sprintf("not a regular file (%s); ignored", kindOf(fi.Mode()))
		default:
			return false // a symlink to a file or folder inside the root
		}
		r.mu.Lock()
		r.skipped = append(r.skipped, Problem{Path: p, Severity: Warning, Message: msg, Skipped: true})
		r.mu.Unlock()
		return true
	}), nil
}

// loadRoot loads the folder dir through a rootFS, adding the warnings for
// the entries it left out.
func loadRoot(dir string, opts Options) (*KB, error) {
	rfs, err := openRootFS(dir)
	if err != nil {
		return nil, fmt.Errorf("knowledge folder %s: %w", dir, err)
	}
	defer rfs.Close()
	kb, err := Load(rfs, opts)
	rfs.mu.Lock()
	skipped := rfs.skipped
	rfs.mu.Unlock()
	for i := range skipped {
		skipped[i].Path = path.Join(opts.Prefix, skipped[i].Path)
	}
	var ve *ValidationError
	switch {
	case err == nil:
		kb.Warnings = append(kb.Warnings, skipped...)
		kb.Warnings.sort()
	case errors.As(err, &ve):
		ve.Problems = append(ve.Problems, skipped...)
		ve.Problems.sort()
	}
	return kb, err
}
