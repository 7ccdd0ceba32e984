using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using NnGen.Generator.Diagnostics;

namespace NnGen.Generator.Baking
{
    /// <summary>
    /// AdditionalFiles → weights file bytes. The compiler hands additional files over as decoded text only: UTF-8 when the
    /// bytes are valid UTF-8, otherwise a fallback code page (UTF-8 with replacement characters on Linux, so bytes are
    /// lost), and a file that is neither valid UTF-8 nor free of two consecutive zero bytes fails the build with CS2015.
    /// A real safetensors file is both, so NnGen.targets passes each <c>*.safetensors</c> AdditionalFile on as base64 text
    /// (<see cref="EncodedSuffix"/>), naming the original; a raw <c>.safetensors</c> is still accepted when its text
    /// round-trips to the same bytes, and is otherwise reported unreadable, never baked wrong.
    /// </summary>
    internal static class AdditionalWeightsFile
    {
        public const string RawSuffix = ".safetensors";

        /// <summary>What NnGen.targets writes for <c>x.safetensors</c>: <c>x.safetensors.nngen-base64</c> in the intermediate folder.</summary>
        public const string EncodedSuffix = ".safetensors.nngen-base64";

        /// <summary>The first line of an encoded file; the second is the original path, the rest is base64.</summary>
        public const string EncodedMagic = "nngen-base64 1";

        /// <summary>Cheap, path-only filter: only these files are ever read.</summary>
        public static bool IsCandidate(string path) =>
            path.EndsWith(RawSuffix, StringComparison.OrdinalIgnoreCase) || path.EndsWith(EncodedSuffix, StringComparison.OrdinalIgnoreCase);

        /// <summary>Reads one candidate; never throws (but for cancellation).</summary>
        public static WeightsFileContent Read(AdditionalText file, CancellationToken cancellationToken)
        {
            string path = file.Path;
            try
            {
                SourceText? text = file.GetText(cancellationToken);
                cancellationToken.ThrowIfCancellationRequested();
                return path.EndsWith(EncodedSuffix, StringComparison.OrdinalIgnoreCase)
                    ? ReadEncoded(path, text)
                    : ReadRaw(path, text);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return new WeightsFileContent(path, null, Unreadable(path, $"reading it failed ({exception.GetType().Name}: {exception.Message})"));
            }
        }

        private static WeightsFileContent ReadRaw(string path, SourceText? text)
        {
            if (text is null)
            {
                return new WeightsFileContent(path, null, Unreadable(path, NoText));
            }

            Encoding? encoding = text.Encoding;
            string content = text.ToString();
            if (encoding is null)
            {
                return new WeightsFileContent(path, null, Unreadable(path, "the compiler did not say how it decoded the file, so its bytes cannot be recovered; " + Recipe));
            }

            // U+FFFD is what a decoder writes for bytes it cannot map: the original bytes are gone.
            int replaced = content.IndexOf('\uFFFD');
            if (replaced >= 0)
            {
                return new WeightsFileContent(path, null, Unreadable(path, $"the compiler decoded it as {encoding.WebName} text and replaced invalid bytes (the first at character {replaced}), so its bytes cannot be recovered; {Recipe}"));
            }

            // Every encoding the compiler picks writes at least one byte per character.
            if (content.Length > WeightsBaker.MaxFileBytes)
            {
                return new WeightsFileContent(path, null, TooLarge(path, content.Length));
            }

            byte[] bytes = encoding.GetBytes(content);
            if (bytes.Length > WeightsBaker.MaxFileBytes)
            {
                return new WeightsFileContent(path, null, TooLarge(path, bytes.Length));
            }

            if (encoding.GetString(bytes) != content)
            {
                return new WeightsFileContent(path, null, Unreadable(path, $"its {encoding.WebName} text does not encode back to the same bytes; {Recipe}"));
            }

            return new WeightsFileContent(path, new EquatableBytes(bytes), null);
        }

        private static WeightsFileContent ReadEncoded(string path, SourceText? text)
        {
            if (text is null)
            {
                return new WeightsFileContent(path, null, Unreadable(path, NoText));
            }

            // "nngen-base64 1", the original's path, "length <bytes>", then base64 (see NnGen.targets); or, for an item
            // whose file NnGen.targets could not read, "missing" or "unreadable <reason>" instead of the length.
            string[] lines = text.ToString().Replace("\r\n", "\n").Split(new[] { '\n' }, 4);
            if (lines.Length >= 3 && lines[0] == EncodedMagic && lines[1].Length > 0)
            {
                if (lines[2] == MissingLine)
                {
                    return new WeightsFileContent(lines[1], null, Unreadable(lines[1], $"the AdditionalFiles item points at no file: '{lines[1]}' does not exist (check the Include path, which is relative to the project)"));
                }

                if (lines[2].StartsWith(UnreadablePrefix, StringComparison.Ordinal))
                {
                    return new WeightsFileContent(lines[1], null, Unreadable(lines[1], $"NnGen.targets could not read '{lines[1]}' ({lines[2].Substring(UnreadablePrefix.Length)})"));
                }
            }

            if (lines.Length < 3 || lines[0] != EncodedMagic || !lines[2].StartsWith(LengthPrefix, StringComparison.Ordinal) ||
                !long.TryParse(lines[2].Substring(LengthPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out long length))
            {
                return new WeightsFileContent(path, null, Unreadable(path, $"its base64 form '{WeightsBaker.FileName(path)}' does not start with '{EncodedMagic}', the original's path and its length, as NnGen.targets writes it"));
            }

            string original = lines[1];
            if (length > WeightsBaker.MaxFileBytes)
            {
                return new WeightsFileContent(original, null, TooLarge(original, length));
            }

            byte[]? bytes;
            try
            {
                bytes = Convert.FromBase64String(lines.Length > 3 ? lines[3] : string.Empty);
            }
            catch (FormatException)
            {
                bytes = null;
            }

            if (bytes is null || bytes.Length != length)
            {
                return new WeightsFileContent(original, null, Unreadable(original, $"its base64 form '{WeightsBaker.FileName(path)}' is damaged (it does not decode to the {length} bytes it announces); rebuild to write it again"));
            }

            return new WeightsFileContent(original, new EquatableBytes(bytes), null);
        }

        private const string LengthPrefix = "length ";

        // What NnGen.targets writes instead of the length for an item whose file does not exist or cannot be read.
        private const string MissingLine = "missing", UnreadablePrefix = "unreadable ";

        // The compiler gives no text for a file it cannot find as well as for a binary one.
        private const string NoText = "the compiler could not read it as text (the file is missing, or binary: CS2015)";

        private const string Recipe = "reference the NnGen package (or import NnGen.targets), which passes .safetensors AdditionalFiles to the generator as base64";

        // The network is not known here; the baker fills in the network when it reports the problem (see WithNetwork).
        private static BakeProblem Unreadable(string path, string detail) =>
            BakeProblem.Create(DiagnosticIds.WeightsFileUnreadable, WeightsBaker.FileName(path), NetworkPlaceholder, detail);

        private static BakeProblem TooLarge(string path, long bytes) =>
            BakeProblem.Create(DiagnosticIds.WeightsFileTooLarge, WeightsBaker.FileName(path), NetworkPlaceholder, bytes.ToString(CultureInfo.InvariantCulture), WeightsBaker.MaxFileBytes.ToString(CultureInfo.InvariantCulture));

        /// <summary>Stands for the network's name in problems found before any network is known.</summary>
        public const string NetworkPlaceholder = "\u0000network\u0000";

        /// <summary><paramref name="problem"/> with <see cref="NetworkPlaceholder"/> replaced by the network's name.</summary>
        public static BakeProblem WithNetwork(BakeProblem problem, string network) =>
            new(problem.DescriptorId, new Model.EquatableArray<string>(ToList(problem.MessageArgs, network)));

        private static List<string> ToList(Model.EquatableArray<string> args, string network)
        {
            var list = new List<string>();
            foreach (string arg in args)
            {
                list.Add(arg == NetworkPlaceholder ? network : arg);
            }

            return list;
        }
    }
}
