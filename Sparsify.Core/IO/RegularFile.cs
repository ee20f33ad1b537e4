using System.Runtime.InteropServices;

namespace Sparsify.Core.IO;

/// <summary>
/// Tells, without opening it, whether a path is a regular file, and where it really is. Opening a
/// FIFO for reading blocks until some process writes to it, and a device or a directory is never
/// model data, so model files and external data are checked here before they are opened.
/// </summary>
/// <remarks>
/// .NET's file APIs do not tell a FIFO or a device from a file: both report
/// <see cref="FileAttributes.Normal"/>. On Unix the type therefore comes from stat(2) and the
/// resolved path from realpath(3), both through System.Native, the runtime's own native shim: it
/// ships with every .NET on Unix and has the same layout on every platform, unlike libc's struct
/// stat. Where it cannot be loaded (and on Windows), only what managed code can tell is checked.
/// </remarks>
internal static partial class RegularFile
{
    private const string SystemNative = "libSystem.Native";

    // System.Native's FileStatus (pal_io.h) starts with Flags and Mode, two int32s; its file-type
    // bits are the POSIX values on every platform. The buffer is larger than the struct has ever been.
    private const int StatusBytes = 512;
    private const int ModeOffset = 4;
    private const int TypeMask = 0xF000;
    private const int Fifo = 0x1000;
    private const int CharacterDevice = 0x2000;
    private const int DirectoryType = 0x4000;
    private const int BlockDevice = 0x6000;
    private const int Regular = 0x8000;
    private const int Socket = 0xC000;

    private static bool s_noNativeShim = OperatingSystem.IsWindows();

    /// <summary>
    /// Null when <paramref name="path"/> (links followed) is a regular file, or does not exist or
    /// cannot be examined (opening it then says why); otherwise what it is instead, worded to follow
    /// "is", e.g. "a named pipe (FIFO)".
    /// </summary>
    public static string? NotRegular(string path)
    {
        if (!s_noNativeShim)
        {
            try
            {
                return NativeNotRegular(path);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                s_noNativeShim = true;
            }
        }

        return ManagedNotRegular(path);
    }

    /// <summary>
    /// <paramref name="path"/> as a full path with every symbolic link in it resolved, or the full
    /// path unresolved when it does not exist. Without the native shim only a link in the last
    /// component is resolved.
    /// </summary>
    public static string Resolve(string path)
    {
        var full = Path.GetFullPath(path);
        if (!s_noNativeShim)
        {
            try
            {
                return NativeRealPath(full) ?? full;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                s_noNativeShim = true;
            }
        }

        var info = new FileInfo(full);
        return info.LinkTarget is null ? full : File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full;
    }

    private static unsafe string? NativeNotRegular(string path)
    {
        var status = stackalloc byte[StatusBytes];
        if (Stat(path, status) != 0)
        {
            return null;
        }

        var type = *(int*)(status + ModeOffset) & TypeMask;
        return type switch
        {
            Regular => null,
            DirectoryType => "a directory",
            Fifo => "a named pipe (FIFO)",
            CharacterDevice => "a character device",
            BlockDevice => "a block device",
            Socket => "a socket",
            _ => $"not a regular file (file type 0x{type:x})",
        };
    }

    private static unsafe string? NativeRealPath(string path)
    {
        var resolved = RealPath(path);
        if (resolved == IntPtr.Zero)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            // realpath(3) allocates with malloc.
            NativeMemory.Free((void*)resolved);
        }
    }

    private static string? ManagedNotRegular(string path)
    {
        if (Directory.Exists(path))
        {
            return "a directory";
        }

        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return null;
        }

        if ((info.Attributes & FileAttributes.Device) != 0)
        {
            return "a device";
        }

        // On Unix a FIFO or a device reports length 0, and an empty file holds no model data either.
        return !OperatingSystem.IsWindows() && info.Length == 0 ? "an empty or special file (such as a FIFO or a device)" : null;
    }

    [LibraryImport(SystemNative, EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Stat(string path, byte* status);

    [LibraryImport(SystemNative, EntryPoint = "SystemNative_RealPath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr RealPath(string path);
}
