"""House style and drawing for every chart in the book."""
