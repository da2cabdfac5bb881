enum ImportPlaceholderToReplace {}
