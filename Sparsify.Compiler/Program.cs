using System.Collections;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Sparsify.Tasks;
using Sparsify.Tasks.Tool;

// sparsify-compile --items FILE --out DIR --outputs FILE: the SparsifyCompile task outside MSBuild. Its
// diagnostics go to standard output in MSBuild's canonical form ("FILE : error CODE : MESSAGE"), which
// the ToolTask that started it logs as errors with their codes and files.
var arguments = args.Chunk(2).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
if (!arguments.TryGetValue("--items", out var itemsFile) || !arguments.TryGetValue("--out", out var outputDirectory) || !arguments.TryGetValue("--outputs", out var outputsFile))
{
    Console.Error.WriteLine("usage: Sparsify.Compiler --items FILE --out DIR --outputs FILE");
    return 2;
}

var models = ModelItemsFile.Read(File.ReadAllText(itemsFile)).Select(item =>
{
    // The full path as MSBuild resolved it: this process's working folder may be another.
    var path = item.Metadata.TryGetValue("FullPath", out var full) && full.Length > 0 ? full : item.Path;
    var metadata = item.Metadata.Where(m => !m.Key.Equals("FullPath", StringComparison.OrdinalIgnoreCase)).ToDictionary(m => m.Key, m => m.Value);
    return (ITaskItem)new TaskItem(path, metadata);
}).ToArray();

var engine = new ConsoleBuildEngine();
var task = new SparsifyCompile { BuildEngine = engine, Models = models, OutputDirectory = outputDirectory };
if (!task.Execute())
{
    return 1;
}

var outputs = task.Manifests.Concat(task.WeightBlobs).Concat(task.Reports).Concat(task.Records).Select(i => Path.GetFullPath(i.ItemSpec));
File.WriteAllLines(outputsFile, outputs);
return 0;

/// <summary>Prints what the task logs: errors and warnings canonically, messages as they are.</summary>
internal sealed class ConsoleBuildEngine : IBuildEngine
{
    public bool ContinueOnError => false;

    public int LineNumberOfTaskNode => 0;

    public int ColumnNumberOfTaskNode => 0;

    public string ProjectFileOfTaskNode => string.Empty;

    public void LogErrorEvent(BuildErrorEventArgs e) => Console.WriteLine($"{e.File} : error {e.Code} : {e.Message}");

    public void LogWarningEvent(BuildWarningEventArgs e) => Console.WriteLine($"{e.File} : warning {e.Code} : {e.Message}");

    public void LogMessageEvent(BuildMessageEventArgs e)
    {
        if (e.Importance != MessageImportance.Low)
        {
            Console.WriteLine(e.Message);
        }
    }

    public void LogCustomEvent(CustomBuildEventArgs e) => Console.WriteLine(e.Message);

    public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs) => false;
}
