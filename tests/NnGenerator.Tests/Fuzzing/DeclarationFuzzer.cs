using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace NnGen.Generator.Tests.Fuzzing;

/// <summary>
/// Writes random [Network] declarations from a small grammar: namespaces (none, block, file-scoped, keyword parts,
/// case twins), containing types (class, struct, record, interface; partial or not, generic, file-local, static), the
/// network type (class or record, modifiers, names that are keywords, case twins or generated member names, type
/// parameters, primary constructors, base classes, members that clash or not), attributes and their arguments (valid,
/// boundary, out-of-range, wrong types, undefined enum values, softmax, more layers than the limit; layer attributes
/// from <see cref="LayerAttributes"/>), two-file splits, call sites, declarations the compiler rejects that once made the
/// generated file add errors (<see cref="CascadeTests"/>), and then token mutations and truncations of the whole text.
/// A case is a function of (seed, index) only.
/// </summary>
internal static class DeclarationFuzzer
{
    private static readonly string[] NamespaceNames = ["Demo", "demo", "App.@internal", "App.Models", "Company.System", "Company.NnGen", "@class", "A.B.C"];
    private static readonly string[] TypeNames = ["Net", "NET", "net", "PlanarNet", "@class", "@record", "@var", "Input", "Output", "Gradients", "Summary", "Predict", "W1", "Layer1Units", "_Net", "Ünïcode", "Net2", "Model"];
    private static readonly string[] OuterNames = ["Outer", "OUTER", "@event", "Models", "Holder"];
    private static readonly string[] TypeParameterNames = ["T", "TTag", "@int", "Input", "U", "x", "m", "seed", "W1", "TNet"];
    private static readonly string[] Activations = ["Sigmoid", "Tanh", "ReLU", "LeakyReLU", "Linear", "Softmax"];
    private static readonly string[] Losses = ["Default", "BinaryCrossEntropy", "MeanSquaredError", "CategoricalCrossEntropy"];
    private static readonly string[] Inits = ["Default", "Xavier", "He", "Scaled", "Zeros"];

    /// <summary>
    /// The layer attributes the grammar writes, one row per layer kind: the attribute's name and its arguments, drawn from
    /// the case's stream. A kind that lands (Dense, Dropout, BatchNorm, LayerNorm) is one more row, and every layer is
    /// then drawn from the rows; while there is one row no draw picks it, so each seed's corpus stays what it was.
    /// </summary>
    private static readonly LayerAttribute[] LayerAttributes =
    [
        new("Layer", DenseArguments),
    ];

    /// <summary>Declarations the compiler rejects that once made the generated file add errors, and their shape labels.</summary>
    private static readonly (string TypeParameters, string Label)[] NamelessTypeParameters = [("<>", "nameless type parameter"), ("<T, >", "second type parameter nameless")];
    private static readonly string[] TopLevelModifiers = ["private partial ", "protected partial ", "private protected partial "];
    private static readonly string[] GenericBufferMembers = ["public class Input<T> { }", "public struct Output<T> { }", "private record Input<T, U>;"];

    private static readonly string[] Members =
    [
        "public int Count { get; set; }",
        "public void Train() { }",
        "public string Label => \"net\";",
        "public static string Summary => \"mine\";",
        "public const int InputSize = 2;",
        "private readonly float[] _parameters = new float[3];",
        "public float[] W1 = new float[1];",
        "public float[] W9 = new float[1];",
        "public void Fit() { }",
        "public void PredictProbability() { }",
        "public struct Input { }",
        "public override string ToString() => \"net\";",
        "int NnGen.ITrainableNetwork.InputSize => 1;",
    ];

    // Token replacements: numbers at and past limits, wrong types, other keywords and punctuation.
    private static readonly string[] Replacements =
    [
        "0", "-1", "1", "2147483647", "-2147483648", "1048577", "99999999999", "1e30f", "\"two\"", "null", "default", "typeof(int)",
        "Activation.Softmax", "(Activation)99", "(Init)(-4)", "(Loss)3", "Loss.CategoricalCrossEntropy", "Inputs = 3", "struct", "record",
        "interface", "static", "partial", "abstract", "sealed", "file", "<T>", "<@int>", "(int x)", "()", "{", "}", "(", ")", "[", "]", ",",
        ";", "=", "Network", "Layer", "@class", "Input", "NET", "class", "enum", ": Base", "where T : struct",
    ];

    /// <summary>The sources of case <paramref name="index"/> (one or two files) and a one-line description of its shape.</summary>
    public static (string[] Sources, string Shape) Generate(int seed, int index)
    {
        var random = new Random(unchecked((seed * 7919) + (index * 104729) + 17));

        // Weights arguments, and the shapes that once cascaded, draw from their own streams, so adding them left every
        // other case of a seed as it was.
        var weightsRandom = new Random(unchecked((seed * 7919) + (index * 104729) + 31));
        var rejectedRandom = new Random(unchecked((seed * 7919) + (index * 104729) + 47));
        var shape = new List<string>();
        int networks = random.Next(10) switch { < 6 => 1, < 9 => 2, _ => 3 };
        var files = new List<StringBuilder> { new() };
        bool twoFiles = random.Next(4) == 0;
        if (twoFiles)
        {
            files.Add(new StringBuilder());
        }

        string? namespaceName = random.Next(4) == 0 ? null : Pick(random, NamespaceNames);
        bool fileScoped = namespaceName is not null && random.Next(2) == 0;
        foreach (StringBuilder file in files)
        {
            file.Append("using System;\nusing NnGen;\n");
            if (fileScoped)
            {
                file.Append("namespace ").Append(namespaceName).Append(";\n");
            }
            else if (namespaceName is not null)
            {
                file.Append("namespace ").Append(namespaceName).Append("\n{\n");
            }
        }

        shape.Add(namespaceName is null ? "global" : (fileScoped ? "file-scoped " : "block ") + namespaceName);
        var declared = new List<string>();
        string? callable = null;
        for (int n = 0; n < networks; n++)
        {
            string name = random.Next(5) == 0 ? Pick(random, TypeNames) : (n == 0 ? "Net" : "Net" + n.ToString(CultureInfo.InvariantCulture));
            if (n > 0 && random.Next(3) == 0)
            {
                name = declared[0].ToUpperInvariant() == declared[0] ? declared[0].ToLowerInvariant() : declared[0].ToUpperInvariant();
            }

            declared.Add(name);
            WriteNetwork(random, rejectedRandom, files, name, shape, ref callable);
        }

        if (callable is not null && random.Next(3) > 0)
        {
            files[0].Append(CallSite(callable));
            shape.Add("call site");
        }

        if (random.Next(3) == 0)
        {
            files[0].Append("public class Base { public Base() { } public string Name => \"base\"; }\npublic class NoDefault { public NoDefault(int x) { } }\npublic class Clash { public void Predict() { } }\n");
        }

        foreach (StringBuilder file in files)
        {
            if (namespaceName is not null && !fileScoped)
            {
                file.Append("}\n");
            }
        }

        string[] sources = files.Select(file => file.ToString()).ToArray();
        int mutation = random.Next(10);
        if (mutation < 3)
        {
            int target = random.Next(sources.Length);
            sources[target] = MutateTokens(random, sources[target]);
            shape.Add("token mutations");
        }
        else if (mutation == 3)
        {
            int target = random.Next(sources.Length);
            sources[target] = sources[target].Substring(0, random.Next(sources[target].Length));
            shape.Add("truncated");
        }
        else
        {
            // Only unmutated cases get Weights, from their own stream: every case of a seed is otherwise what it was.
            for (int i = 0; i < sources.Length; i++)
            {
                sources[i] = WithWeights(weightsRandom, sources[i], shape);
            }
        }

        return (sources, string.Join(", ", shape));
    }

    private static void WriteNetwork(Random random, Random rejected, List<StringBuilder> files, string name, List<string> shape, ref string? callable)
    {
        StringBuilder file = files[random.Next(files.Count)];
        int depth = random.Next(8) switch { < 5 => 0, < 7 => 1, _ => 2 };
        var closers = new List<string>();
        for (int d = 0; d < depth; d++)
        {
            string keyword = random.Next(8) switch { 0 => "struct", 1 => "record", 2 => "interface", 3 => "record struct", _ => "class" };
            string modifiers = (random.Next(8) == 0 ? "file " : string.Empty) + (random.Next(10) == 0 ? "static " : string.Empty) + (random.Next(6) == 0 ? string.Empty : "partial ");
            string generic = random.Next(5) == 0 ? "<" + Pick(random, TypeParameterNames) + ">" : string.Empty;
            string outerName = Pick(random, OuterNames);
            switch (rejected.Next(40))
            {
                case 0:
                    generic = "<>";
                    break;
                case 1:
                    (outerName, generic) = ("Input", "<T>");
                    break;
                case 2 when d == 0:
                    modifiers = "private " + modifiers;
                    break;
            }

            file.Append(modifiers).Append(keyword).Append(' ').Append(outerName).Append(generic).Append("\n{\n");
            closers.Add("}\n");
            shape.Add($"in {modifiers}{keyword}{generic}");
        }

        bool record = random.Next(8) == 0;
        string typeModifiers = random.Next(30) switch
        {
            0 => "static partial ",
            1 => "file partial ",
            2 => "public ",
            3 => "abstract partial ",
            4 => "internal sealed partial ",
            _ => "public partial ",
        };
        string typeParameters = random.Next(6) == 0
            ? "<" + string.Join(", ", Enumerable.Range(0, 1 + random.Next(2)).Select(_ => Pick(random, TypeParameterNames)).Distinct()) + ">"
            : string.Empty;
        string primary = random.Next(30) switch { 0 => "(string label)", 1 => "()", _ => string.Empty };
        string baseList = random.Next(20) switch { 0 => " : Base", 1 => " : NoDefault", 2 => " : Clash", 3 => " : IDisposable", _ => string.Empty };
        var members = new List<string>();
        for (int m = random.Next(8) == 0 ? 1 + random.Next(2) : 0; m > 0; m--)
        {
            members.Add(Pick(random, Members));
        }

        if (baseList == " : IDisposable")
        {
            members.Add("public void Dispose() { }");
        }

        if (primary == "(string label)")
        {
            members.Add("public string Text => label;");
        }

        string unescaped = name.TrimStart('@');
        if (random.Next(10) == 0)
        {
            members.Add($"public {unescaped}(string label) : this(1) {{ }}");
        }

        switch (rejected.Next(16))
        {
            case 0:
                (typeParameters, string label) = Pick(rejected, NamelessTypeParameters);
                shape.Add(label);
                break;
            case 1 when depth == 0:
                typeModifiers = Pick(rejected, TopLevelModifiers);
                break;
            case 2:
                members.Add(Pick(rejected, GenericBufferMembers));
                break;
        }

        string attributes = Attributes(random, shape);
        bool split = files.Count > 1 && random.Next(2) == 0;
        string body = members.Count == 0 ? " { }\n" : "\n{\n    " + string.Join("\n    ", members) + "\n}\n";
        string keywordText = record ? "record" : "class";
        file.Append(attributes).Append(typeModifiers).Append(keywordText).Append(' ').Append(name).Append(typeParameters).Append(primary).Append(baseList).Append(body);
        if (split)
        {
            // The same class in the other file; sometimes with more layers (NNG0009) or a second [Network] (CS0579).
            StringBuilder other = files.First(candidate => !ReferenceEquals(candidate, file));
            string extra = random.Next(3) switch { 0 => "[Layer(2, Activation.Tanh)]\n", 1 => "[Network(Inputs = 1)]\n", _ => string.Empty };
            other.Append(extra).Append("partial ").Append(keywordText).Append(' ').Append(name).Append(typeParameters).Append(" { public int Extra => 1; }\n");
            shape.Add("split" + (extra.Length > 0 ? " with " + extra.Trim() : string.Empty));
        }

        foreach (string closer in closers)
        {
            file.Append(closer);
        }

        shape.Add($"{typeModifiers}{keywordText} {name}{typeParameters}{primary}{baseList}" + (members.Count > 0 ? $" +{members.Count} members" : string.Empty));
        if (depth == 0 && typeParameters.Length == 0 && callable is null && !typeModifiers.Contains("file", StringComparison.Ordinal))
        {
            callable = name;
        }
    }

    /// <summary>Weights arguments: the fuzz run's planar file, a path suffix, missing, empty, null, a directory, a non-string.</summary>
    private static readonly string[] WeightsValues =
    [
        "\"planar.safetensors\"", "\"fuzz/planar.safetensors\"", "\"missing.safetensors\"", "\"\"", "null", "\"fuzz/\"", "42", "\"../planar.safetensors\"",
    ];

    /// <summary>Adds a Weights argument to about one [Network(…)] in four.</summary>
    private static string WithWeights(Random random, string source, List<string> shape)
    {
        const string Opening = "[Network(";
        int start = 0;
        for (int at = source.IndexOf(Opening, StringComparison.Ordinal); at >= 0; at = source.IndexOf(Opening, start, StringComparison.Ordinal))
        {
            start = at + Opening.Length;
            if (random.Next(4) != 0)
            {
                continue;
            }

            string weights = "Weights = " + Pick(random, WeightsValues);
            bool empty = start < source.Length && source[start] == ')';
            source = source.Substring(0, start) + weights + (empty ? string.Empty : ", ") + source.Substring(start);
            start += weights.Length;
            shape.Add(weights);
        }

        return source;
    }

    private static string Attributes(Random random, List<string> shape)
    {
        var text = new StringBuilder();
        var arguments = new List<string>();
        int inputs = random.Next(40) switch { 0 => 0, 1 => -1, 2 => 1048577, 3 => 1048576, _ => 1 + random.Next(12) };
        if (random.Next(40) > 0)
        {
            arguments.Add(random.Next(60) == 0 ? "Inputs = \"two\"" : "Inputs = " + inputs.ToString(CultureInfo.InvariantCulture));
        }

        if (random.Next(5) == 0)
        {
            arguments.Add("Loss = " + (random.Next(20) == 0 ? "(Loss)9" : "Loss." + Pick(random, Losses)));
        }

        if (random.Next(5) == 0)
        {
            arguments.Add("Init = " + (random.Next(20) == 0 ? "(Init)(-1)" : "Init." + Pick(random, Inits)));
        }

        arguments = arguments.OrderBy(_ => random.Next()).ToList();

        text.Append(random.Next(50) == 0 ? "[Network]\n" : "[Network(" + string.Join(", ", arguments) + ")]\n");
        int layers = random.Next(50) switch { 0 => 0, 1 => 65 + random.Next(3), 2 or 3 => 8 + random.Next(10), _ => 1 + random.Next(4) };
        for (int l = 1; l <= layers; l++)
        {
            LayerAttribute kind = LayerAttributes.Length == 1 ? LayerAttributes[0] : Pick(random, LayerAttributes);
            text.Append('[').Append(kind.Name).Append('(').Append(kind.Arguments(random)).Append(")]\n");
        }

        shape.Add($"[Network({string.Join(", ", arguments)})] x{layers} layers");
        return text.ToString();
    }

    /// <summary>[Layer(units, activation[, Init = …])]: units at and past the limits, undefined and softmax activations.</summary>
    private static string DenseArguments(Random random)
    {
        int units = random.Next(150) switch { 0 => 0, 1 => -2, 2 => 2000000, < 15 => 16 + random.Next(40), _ => 1 + random.Next(9) };
        string activation = random.Next(100) == 0 ? "(Activation)9" : random.Next(25) == 0 ? "Activation.Softmax" : "Activation." + Pick(random, Activations, 5);
        string init = random.Next(10) == 0 ? ", Init = Init." + Pick(random, Inits) : string.Empty;
        return units.ToString(CultureInfo.InvariantCulture) + ", " + activation + init;
    }

    // Uses every public member kind of a generated network, with arguments that compile for any architecture.
    private static string CallSite(string name) =>
        "public static class UseNetwork\n{\n" +
        $"    public static double Run(float[] data, float[] labels)\n    {{\n        {name} net = new {name}(3);\n" +
        $"        {name}.Output y = net.Predict(new {name}.Input());\n        net.PredictBatch(data, new float[1]);\n" +
        $"        {name}.Gradients gradients = new {name}.Gradients();\n        double cost = net.ComputeGradients(data, labels, gradients);\n" +
        $"        Evaluation evaluation = net.Evaluate(data, labels);\n        ITrainableNetwork trainable = net;\n" +
        $"        return cost + y[0] + {name}.InputSize + {name}.Summary.Length + net.W1.Length + evaluation.Accuracy + trainable.OutputSize;\n    }}\n}}\n";

    private static string MutateTokens(Random random, string source)
    {
        List<string> tokens = CSharpSyntaxTree.ParseText(source).GetRoot().DescendantTokens(descendIntoTrivia: false)
            .Select(token => token.ToFullString())
            .ToList();
        int mutations = 1 + random.Next(3);
        for (int m = 0; m < mutations && tokens.Count > 1; m++)
        {
            int at = random.Next(tokens.Count);
            switch (random.Next(4))
            {
                case 0:
                    tokens.RemoveAt(at);
                    break;
                case 1:
                    tokens.Insert(at, tokens[at]);
                    break;
                default:
                    tokens[at] = " " + Pick(random, Replacements) + " ";
                    break;
            }
        }

        return string.Concat(tokens);
    }

    private static T Pick<T>(Random random, T[] values, int count = 0) => values[random.Next(count > 0 ? count : values.Length)];

    /// <summary>One layer kind's attribute: its name and a writer of its arguments.</summary>
    private sealed record LayerAttribute(string Name, Func<Random, string> Arguments);
}
