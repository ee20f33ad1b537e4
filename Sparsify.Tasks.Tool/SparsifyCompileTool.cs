using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Sparsify.Tasks.Tool;

/// <summary>
/// SparsifyCompile as a separate .NET process, for an MSBuild that cannot load the .NET task in
/// process (Visual Studio's and other .NET Framework MSBuilds), or when asked to
/// (<c>SparsifyCompileOutOfProcess=true</c>). Writes the items to a file, runs
/// <c>dotnet exec Sparsify.Compiler.dll</c>, and logs what it prints: its diagnostics come in MSBuild's
/// canonical form, so they keep their codes and files.
/// </summary>
public sealed class SparsifyCompileTool : ToolTask
{
    /// <summary>The models, as for SparsifyCompile.</summary>
    [Required]
    public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>Where the outputs go.</summary>
    [Required]
    public string OutputDirectory { get; set; } = string.Empty;

    /// <summary>Sparsify.Compiler.dll.</summary>
    [Required]
    public string CompilerAssembly { get; set; } = string.Empty;

    /// <summary>The file that receives the list of outputs (one full path a line) when every model compiled.</summary>
    [Required]
    public string OutputsFile { get; set; } = string.Empty;

    /// <summary>The items file (written by this task, read by the compiler).</summary>
    [Required]
    public string ItemsFile { get; set; } = string.Empty;

    /// <inheritdoc />
    protected override string ToolName => Path.DirectorySeparatorChar == '\\' ? "dotnet.exe" : "dotnet";

    /// <inheritdoc />
    protected override MessageImportance StandardOutputLoggingImportance => MessageImportance.Normal;

    /// <inheritdoc />
    protected override string GenerateFullPathToTool()
    {
        // The SDK's MSBuild names the dotnet that runs it; otherwise the first dotnet on PATH.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host!;
        }

        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(folder.Trim(), ToolName);
            if (folder.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        return ToolName;
    }

    /// <inheritdoc />
    protected override string GenerateCommandLineCommands()
    {
        var builder = new CommandLineBuilder();
        builder.AppendSwitch("exec");
        builder.AppendFileNameIfNotNull(CompilerAssembly);
        builder.AppendSwitchIfNotNull("--items ", ItemsFile);
        builder.AppendSwitchIfNotNull("--out ", OutputDirectory);
        builder.AppendSwitchIfNotNull("--outputs ", OutputsFile);
        return builder.ToString();
    }

    /// <inheritdoc />
    public override bool Execute()
    {
        var items = Models.Select(m => (m.ItemSpec, (IEnumerable<KeyValuePair<string, string>>)Metadata(m))).ToList();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(ItemsFile))!);
        File.WriteAllText(ItemsFile, ModelItemsFile.Write(items));
        return base.Execute() && !Log.HasLoggedErrors;
    }

    // The item's own metadata, and its full path and project folder as this MSBuild resolves them. The dictionary's entry
    // type differs between MSBuilds, so it is read through the non-generic enumerator.
    private static List<KeyValuePair<string, string>> Metadata(ITaskItem item)
    {
        var metadata = new List<KeyValuePair<string, string>>();
        var entries = item.CloneCustomMetadata().GetEnumerator();
        while (entries.MoveNext())
        {
            metadata.Add(new KeyValuePair<string, string>((string)entries.Key, entries.Value as string ?? string.Empty));
        }

        metadata.Add(new KeyValuePair<string, string>("FullPath", item.GetMetadata("FullPath")));

        // Well-known metadata cannot be set on an item, so the project folder (the base of relative calibration paths) travels under its own name.
        metadata.Add(new KeyValuePair<string, string>("SparsifyProjectDirectory", item.GetMetadata("DefiningProjectDirectory")));
        return metadata;
    }
}
