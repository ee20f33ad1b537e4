using Sparsify.Runtime.Manifests;

namespace Sparsify.Core.Compilation.Lowering;

/// <summary>
/// Lowering pass 4: gives every model input and step output an activation buffer, reusing a buffer once
/// every value in it is dead (best fit among the free ones, else the largest grown, else a new one).
/// Flatten and Reshape share their input's buffer.
/// </summary>
internal static class AssignBuffers
{
    public static (List<int> Lengths, List<ValueBuffer> Values) Run(Manifest manifest, IReadOnlyList<StepDraft> steps)
    {
        var lastUse = new Dictionary<string, int>(StringComparer.Ordinal);
        var outputs = manifest.Outputs.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        for (var s = 0; s < steps.Count; s++)
        {
            foreach (var read in steps[s].Reads())
            {
                lastUse[read] = s;
            }
        }

        int LastUse(string value) => outputs.Contains(value) ? int.MaxValue : lastUse.GetValueOrDefault(value, -1);

        var lengths = new List<int>();
        var values = new List<ValueBuffer>();
        var bufferOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var members = new List<List<string>>();
        var free = new List<int>();
        void Place(string value, int buffer, int length)
        {
            members[buffer].Add(value);
            bufferOf[value] = buffer;
            values.Add(new ValueBuffer(value, buffer, length));
        }

        void Allocate(string value, int length)
        {
            var pick = free.Where(b => lengths[b] >= length).OrderBy(b => lengths[b]).ThenBy(b => b).Cast<int?>().FirstOrDefault()
                ?? free.OrderByDescending(b => lengths[b]).ThenBy(b => b).Cast<int?>().FirstOrDefault();
            if (pick is { } b)
            {
                free.Remove(b);
                lengths[b] = Math.Max(lengths[b], length);
                members[b].Clear();
            }
            else
            {
                b = lengths.Count;
                lengths.Add(length);
                members.Add([]);
            }

            Place(value, b, length);
        }

        foreach (var input in manifest.Inputs)
        {
            Allocate(input.Name, ExecutionPlan.ElementsAtBatchOne(input.Shape));
        }

        for (var s = 0; s < steps.Count; s++)
        {
            var step = steps[s];
            var length = ExecutionPlan.ElementsAtBatchOne(step.OutputShape);
            if (step.IsAlias)
            {
                Place(step.Output, bufferOf[step.Layer.Inputs[0]], length);
            }
            else
            {
                Allocate(step.Output, length);
            }

            for (var b = 0; b < members.Count; b++)
            {
                if (!free.Contains(b) && members[b].Count > 0 && members[b].All(v => LastUse(v) <= s))
                {
                    free.Add(b);
                }
            }
        }

        return (lengths, values);
    }
}
