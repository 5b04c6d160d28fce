/// libFuzzer entry of the droid reader family (see Fuzz/README and scripts/fuzz.sh).
import ReaderFuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzEntry.run(.droid, data, size)
}
