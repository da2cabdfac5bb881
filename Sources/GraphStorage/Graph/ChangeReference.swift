/// A change reference as it is given (`--change`, `USING CHANGE`, the REPL's `:change`, the server's `"change"` and
/// `?change=`): the one rule for what counts as one, so that no way in records a reference another would refuse.
public enum ChangeReference {
    /// The longest change reference, in UTF-8 bytes.
    public static let maximumBytes = 200

    /// The change reference `text` names, or nil when it names none: nil, empty, or nothing but whitespace (spaces,
    /// tabs, line breaks, Unicode spaces). Any other text is the reference, as given.
    public static func given(_ text: String?) -> String? {
        guard let text, !text.allSatisfy(\.isWhitespace) else { return nil }
        return text
    }

    /// Why `text` cannot be recorded as a change reference (it is longer than `maximumBytes`), or nil when it can or
    /// names none: the one check every way in makes (the server, `--change`, `USING CHANGE`, the REPL's `:change`).
    public static func problem(with text: String?) -> String? {
        guard let reference = given(text), reference.utf8.count > maximumBytes else { return nil }
        return "the change reference is longer than \(maximumBytes) bytes (\(reference.utf8.count))"
    }
}
