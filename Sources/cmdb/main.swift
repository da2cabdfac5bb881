import CMDBCommands

CMDBCommand.main()
