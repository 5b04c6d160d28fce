/// The release of aiusage: what `--version` prints on both executables and what the
/// upload document names as its `client`, kept in one place so they cannot disagree.
public enum AIUsageVersion {
    public static let number = "0.1"
}
