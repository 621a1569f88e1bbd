# fish completion for rmmod
functions -q __modtool_loaded; or source (status dirname)/modtool-functions.fish

function __modtool_rmmod_argument
    if string match -q -- '*/*' (commandline -ct)
        __modtool_module_files
    else
        __modtool_loaded
    end
end

complete -c rmmod -f
complete -c rmmod -s f -l force -d 'Force the unload (dangerous)'
complete -c rmmod -s s -l syslog -d 'Print to syslog, not stderr'
complete -c rmmod -s v -l verbose -d 'More messages'
complete -c rmmod -s V -l version -d 'Show version'
complete -c rmmod -s h -l help -d 'Show help'
complete -c rmmod -a '(__modtool_rmmod_argument)'
