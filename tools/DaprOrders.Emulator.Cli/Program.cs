Console.WriteLine("dapr-emulator: placeholder");
