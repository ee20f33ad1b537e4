using System.Globalization;
using System.IO.Enumeration;

namespace Sparsify.Core.Calibration;

/// <summary>Finds the calibration files a setting names, and picks a deterministic subset of them.</summary>
public static class CalibrationFiles
{
    /// <summary>The extensions a folder is searched for (case-insensitively).</summary>
    public static readonly IReadOnlyList<string> FolderExtensions = [".jpg", ".jpeg", ".png", ".f32"];

    /// <summary>
    /// The files <paramref name="spec"/> names, as full paths sorted ordinally, each once. The spec is
    /// one or more parts separated by ';', each a folder (its *.jpg, *.jpeg, *.png and *.f32 files,
    /// not recursive), a glob with <c>*</c> or <c>?</c> in its file name (not in its folders), or a
    /// file. Relative parts are taken from <paramref name="baseDirectory"/> (null: the current
    /// directory). A part that matches no file is an error, so a mistyped one is never skipped silently.
    /// </summary>
    /// <exception cref="CalibrationDataException">The spec is empty, a part matches nothing, or a folder cannot be listed.</exception>
    public static IReadOnlyList<string> Resolve(string spec, string? baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var parts = spec.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            throw new CalibrationDataException("no calibration files are given: name a folder, a glob such as images/*.jpg, or files separated by ';'", setting: CalibrationSettings.Files);
        }

        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            var (matched, nothing) = ResolvePart(part, baseDirectory);
            if (matched.Count == 0)
            {
                throw new CalibrationDataException(nothing, part, CalibrationSettings.Files);
            }

            found.UnionWith(matched);
        }

        return [.. found];
    }

    /// <summary>
    /// <paramref name="count"/> of <paramref name="files"/> (sorted ordinally first), evenly spaced:
    /// of n files, those at indices floor(i × n / count) for i = 0 … count − 1; all of them, sorted,
    /// when there are no more than <paramref name="count"/>. The same list gives the same pick.
    /// </summary>
    /// <exception cref="CalibrationDataException"><paramref name="count"/> is not positive.</exception>
    public static IReadOnlyList<string> Select(IReadOnlyList<string> files, int count)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (count <= 0)
        {
            throw new CalibrationDataException($"the number of calibration files to use must be at least 1, got {count.ToString(CultureInfo.InvariantCulture)}", setting: CalibrationSettings.Count);
        }

        var sorted = files.Order(StringComparer.Ordinal).ToArray();
        if (sorted.Length <= count)
        {
            return sorted;
        }

        var picked = new string[count];
        for (var i = 0; i < count; i++)
        {
            picked[i] = sorted[(int)((long)i * sorted.Length / count)];
        }

        return picked;
    }

    // The files one part names, and what to say when there are none.
    private static (List<string> Files, string Nothing) ResolvePart(string part, string? baseDirectory)
    {
        try
        {
            var full = FullPath(part, baseDirectory);
            if (Directory.Exists(full))
            {
                return ([.. Directory.EnumerateFiles(full, "*", SearchOption.TopDirectoryOnly)
                    .Where(f => FolderExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))],
                    $"the folder holds no {string.Join(", ", FolderExtensions)} files");
            }

            var name = Path.GetFileName(full);
            var folder = Path.GetDirectoryName(full);
            if (folder is not null && folder.AsSpan().IndexOfAny('*', '?') >= 0)
            {
                throw new CalibrationDataException("a wildcard may only stand in the file name, not in a folder", part, CalibrationSettings.Files);
            }

            if (name.AsSpan().IndexOfAny('*', '?') < 0)
            {
                // A single file; whether it is a readable regular file is for loading to tell.
                return (File.Exists(full) ? [full] : [], "the file does not exist");
            }

            if (folder is null || !Directory.Exists(folder))
            {
                throw new CalibrationDataException("the glob's folder does not exist", part, CalibrationSettings.Files);
            }

            var ignoreCase = OperatingSystem.IsWindows();
            return ([.. Directory.EnumerateFiles(folder, "*", SearchOption.TopDirectoryOnly)
                .Where(f => FileSystemName.MatchesSimpleExpression(name, Path.GetFileName(f), ignoreCase))],
                "no file matches the glob");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or System.Security.SecurityException)
        {
            throw new CalibrationDataException($"cannot list the calibration files: {e.Message}", part, CalibrationSettings.Files, e);
        }
    }

    private static string FullPath(string part, string? baseDirectory) =>
        Path.GetFullPath(baseDirectory is null ? part : Path.Combine(baseDirectory, part));
}
