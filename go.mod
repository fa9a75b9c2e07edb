module github.com/ecrsign/ecrsign

go 1.24
