import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File errors in plain words: "PATH: reason", never a Foundation domain or
/// code. Foundation's file errors (CocoaError, NSError in NSPOSIXErrorDomain)
/// and POSIX errors all come down to an errno or a Cocoa file code; both are
/// turned into the same short reasons.
public enum FileErrors {
    /// "PATH: reason" for a file error, or nil when `error` is not one.
    /// `path` wins over the path the error carries (it is the one the person typed).
    public static func describe(_ error: any Error, path: String? = nil) -> String? {
        guard let reason = reason(error) else { return nil }
        guard let where_ = path ?? errorPath(error) else { return reason }
        return "\(where_): \(reason)"
    }

    /// A `DuetError` saying "PATH: reason" for a file error; other errors unchanged.
    public static func plain(_ error: any Error, path: String? = nil) -> any Error {
        if error is DuetError { return error }
        return describe(error, path: path).map(DuetError.init) ?? error
    }

    /// Runs `body`, turning a file error into "PATH: reason".
    public static func at<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw plain(error, path: path) }
    }

    /// The reason for an errno value: strerror's text in lower case ("no space left on device").
    public static func reason(errno code: Int32) -> String {
        switch code {
        case ENOENT: return "no such file or folder"
        case EACCES, EPERM: return "permission denied"
        case ENOSPC: return "no space left on device (disk full)"
        case EDQUOT: return "disk quota exceeded"
        case EROFS: return "read-only file system"
        case EISDIR: return "is a folder, not a file"
        case ENOTDIR: return "a part of the path is not a folder"
        case EFBIG: return "file too large"
        case EEXIST: return "already exists"
        case EIO: return "input/output error"
        default:
            guard let c = strerror(code) else { return "error \(code)" }
            let s = String(cString: c)
            return s.prefix(1).lowercased() + s.dropFirst()
        }
    }

    public static func reason(_ error: any Error) -> String? {
        if let posix = error as? POSIXError { return reason(errno: posix.code.rawValue) }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return reason(errno: Int32(ns.code)) }
        guard ns.domain == NSCocoaErrorDomain else { return nil }
        // The underlying errno is the most precise reason when there is one.
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, let r = reason(underlying) { return r }
        switch CocoaError.Code(rawValue: ns.code) {
        case .fileNoSuchFile, .fileReadNoSuchFile: return reason(errno: ENOENT)
        case .fileReadNoPermission, .fileWriteNoPermission: return reason(errno: EACCES)
        case .fileWriteOutOfSpace: return reason(errno: ENOSPC)
        case .fileWriteVolumeReadOnly: return reason(errno: EROFS)
        case .fileWriteFileExists: return reason(errno: EEXIST)
        case .fileReadTooLarge: return reason(errno: EFBIG)
        case .fileReadCorruptFile: return "the file is damaged or not in the expected format"
        case .fileReadInapplicableStringEncoding, .fileWriteInapplicableStringEncoding: return "the text is not valid UTF-8"
        case .fileReadInvalidFileName, .fileWriteInvalidFileName: return "invalid file name"
        case .fileLocking: return "the file is locked"
        default:
            return ns.code >= 0 && ns.code < 1024 ? "cannot read it" : ns.code < 4096 ? "cannot write it" : nil
        }
    }

    static func errorPath(_ error: any Error) -> String? {
        let info = (error as NSError).userInfo
        if let p = info[NSFilePathErrorKey] as? String { return p }
        if let u = info[NSURLErrorKey] as? URL { return u.path }
        return nil
    }
}
