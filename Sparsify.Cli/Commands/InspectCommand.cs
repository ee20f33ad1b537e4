using System.CommandLine;
using System.Globalization;
using Sparsify.Core.Ir;
using Sparsify.Core.Onnx;
using Spectre.Console;

namespace Sparsify.Cli.Commands;

/// <summary><c>sparsify inspect MODEL</c>: a per-layer table of shapes, parameters and MACs, with totals and import notes.</summary>
internal static class InspectCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("MODEL") { Description = "The ONNX model file." };
        var inputShapes = InputShapeOption.Create();
        var command = new Command("inspect", "Print every layer of a model with its shapes, parameters and multiply-accumulates (MACs).")
        {
            model,
            inputShapes,
        };
        command.SetAction(parse => CliErrors.Guard(context, () =>
        {
            var graph = OnnxModel.Load(parse.GetValue(model)!, InputShapeOption.ToImportOptions(parse.GetValue(inputShapes)));
            Write(context.Console, graph);
            return 0;
        }, parse.GetValue(model)));
        return command;
    }

    /// <summary>Writes the report of <paramref name="graph"/>.</summary>
    public static void Write(IAnsiConsole console, ModelGraph graph)
    {
        console.MarkupLineInterpolated($"[bold]{graph.Name}[/]");
        foreach (var input in graph.Inputs)
        {
            console.MarkupLineInterpolated($"  input   {input.Name}  {input.Shape}");
        }

        foreach (var output in graph.Outputs)
        {
            console.MarkupLineInterpolated($"  output  {output.Name}  {output.Shape}");
        }

        var macs = graph.MacCount;
        var gop = 2.0 * macs / 1e9;
        var table = new Table()
            .AddColumn(new TableColumn("#").RightAligned())
            .AddColumn(new TableColumn("name").Footer("total"))
            .AddColumn(new TableColumn("op"))
            .AddColumn(new TableColumn("input shape(s)"))
            .AddColumn(new TableColumn("output shape").Footer(Format(gop, "0.000") + " GOP"))
            .AddColumn(new TableColumn("parameters").RightAligned().Footer(Format(graph.ParameterCount)))
            .AddColumn(new TableColumn("MACs").RightAligned().Footer(Format(macs)));
        table.ShowFooters = true;
        for (var i = 0; i < graph.Layers.Count; i++)
        {
            var layer = graph.Layers[i];
            table.AddRow(
                new Text(Format(i + 1)),
                new Text(layer.Name),
                new Text(layer.OpType),
                new Text(string.Join(", ", graph.InputShapesOf(layer))),
                new Text(graph.ShapeOf(layer.Output).ToString()),
                new Text(Format(layer.ParameterCount)),
                new Text(Format(graph.CountMacs(layer))));
        }

        console.Write(table);
        console.MarkupLineInterpolated(
            $"{graph.Layers.Count} layers, {Format(graph.ParameterCount)} parameters, {Format(macs)} MACs, {Format(gop, "0.000")} GOP per pass (batch {graph.Inputs[0].Shape[0]})");

        if (graph.Notes.Count == 0)
        {
            console.WriteLine("import notes: none");
            return;
        }

        console.WriteLine($"import notes ({Format(graph.Notes.Count)}):");
        foreach (var note in graph.Notes)
        {
            console.MarkupLineInterpolated($"  - {note}");
        }
    }

    private static string Format(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
