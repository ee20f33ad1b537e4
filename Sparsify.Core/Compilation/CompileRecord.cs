using System.Globalization;
using System.Reflection;
using System.Text;

namespace Sparsify.Core.Compilation;

/// <summary>
/// What a model's outputs were compiled from, kept beside them (<c>BASE.inputs</c>): the model file's
/// full path, length and time stamp, the settings, and the compiler build. A build compiles a model
/// again only when its record differs or one of its outputs is gone, so touching one of several models
/// recompiles that one alone. An exact time stamp (not "newer than") also catches a model restored with
/// an older one.
/// </summary>
public static class CompileRecord
{
    /// <summary>The record's path for outputs named <paramref name="baseName"/> under <paramref name="outputDirectory"/>.</summary>
    public static string PathFor(string outputDirectory, string baseName) => Path.Combine(outputDirectory, baseName + ".inputs");

    /// <summary>
    /// The record's text for compiling <paramref name="modelPath"/> with <paramref name="settings"/> (any
    /// text that changes whenever a setting does, e.g. the item's metadata, one per line).
    /// </summary>
    public static string Describe(string modelPath, string settings)
    {
        var model = new FileInfo(modelPath);
        var text = new StringBuilder();
        text.Append("model ").Append(model.FullName).Append('\n');
        text.Append("length ").Append(model.Exists ? model.Length.ToString(CultureInfo.InvariantCulture) : "-").Append('\n');
        text.Append("modified ").Append(model.Exists ? model.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture) : "-").Append('\n');
        text.Append("compiler ").Append(CompilerBuild).Append('\n');
        text.Append(settings.Replace("\r", string.Empty, StringComparison.Ordinal).TrimEnd('\n')).Append('\n');
        return text.ToString();
    }

    /// <summary>True when the record at <paramref name="recordPath"/> reads <paramref name="description"/> and every output exists.</summary>
    public static bool IsUpToDate(string recordPath, string description, IEnumerable<string> outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        try
        {
            return File.Exists(recordPath) && outputs.All(File.Exists) && File.ReadAllText(recordPath) == description;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An unreadable record is no record: the model compiles again.
            return false;
        }
    }

    /// <summary>Writes the record once the outputs are written (atomically: a half record never matches).</summary>
    public static void Write(string recordPath, string description) => IO.AtomicFile.WriteAllText(recordPath, description);

    /// <summary>Removes the record, so outputs a failed compile left (or removed) never count as up to date.</summary>
    public static void Forget(string recordPath)
    {
        try
        {
            File.Delete(recordPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left in place it cannot match: the outputs it describes are gone.
        }
    }

    // The compiler's build (its module version id changes with every change to its code): another
    // Sparsify recompiles every model.
    private static readonly string CompilerBuild = typeof(CompileRecord).Assembly.ManifestModule.ModuleVersionId.ToString("N")
        + " " + (typeof(CompileRecord).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? string.Empty);
}
