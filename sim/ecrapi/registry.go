package ecrapi

import "fmt"

// Manifest is a stored manifest as the registry protocol serves it.
type Manifest struct {
	Digest    string
	MediaType string
	Content   string
}

// String describes a manifest for logs.
func (m *Manifest) String() string {
	return fmt.Sprintf("%s (%s, %d bytes)", m.Digest, m.MediaType, len(m.Content))
}
